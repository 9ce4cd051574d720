/**
 * An ObjectStore on an S3 bucket (optionally under a key prefix): the cloud adapter of the port. Listing follows
 * continuation tokens, deletes go 1000 keys per call (S3's limit), and downloads/uploads stream so that large raw
 * parts never sit in memory whole.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { PreconditionFailedError, StorageAccessDeniedError, StorageError } from "../errors.ts";
import type { ConditionalObjectStore, PutCondition, TaggedObject } from "./object-store.ts";

export interface S3ObjectStoreOptions {
  bucket: string;
  /** A configured client (region, endpoint, credentials); default: `new S3Client({})` from the environment. */
  client?: S3Client;
  /** A key prefix inside the bucket, e.g. `lake/`; keys passed to the store are relative to it. */
  prefix?: string;
  /** Keys per list call (S3's default and maximum is 1000; smaller values exercise paging in tests). */
  listPageSize?: number;
  /** Keys per DeleteObjects call (at most 1000). */
  deleteBatchSize?: number;
}

/** S3 DeleteObjects accepts at most 1000 keys per request. */
const DELETE_BATCH = 1000;

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    error instanceof NoSuchKey ||
    e?.name === "NoSuchKey" ||
    e?.name === "NotFound" ||
    e?.$metadata?.httpStatusCode === 404
  );
}

function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "AccessDenied" || e?.$metadata?.httpStatusCode === 403;
}

/** S3 answers a conditional write that does not hold with 412, or 404 for If-Match on a key that is gone. */
function isPreconditionFailed(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === "PreconditionFailed" || e?.$metadata?.httpStatusCode === 412;
}

export class S3ObjectStore implements ConditionalObjectStore {
  readonly location: string;
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly prefix: string;
  private readonly listPageSize: number | undefined;
  private readonly deleteBatchSize: number;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    this.client = options.client ?? new S3Client({});
    this.prefix = options.prefix ? options.prefix.replace(/^\/+/, "").replace(/\/?$/, "/") : "";
    this.listPageSize = options.listPageSize;
    this.deleteBatchSize = Math.min(DELETE_BATCH, options.deleteBatchSize ?? DELETE_BATCH);
    this.location = `s3://${this.bucket}${this.prefix ? `/${this.prefix.replace(/\/$/, "")}` : ""}`;
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  private fail(action: string, key: string, error: unknown): never {
    if (isAccessDenied(error)) {
      throw new StorageAccessDeniedError({ action, key, location: this.location }, { cause: error });
    }
    throw new StorageError(
      { reason: "failed", action, key, location: this.location, problem: String((error as Error)?.message ?? error) },
      { cause: error },
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!response.Body) return Buffer.alloc(0);
      return Buffer.from(await response.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      // Without s3:ListBucket covering the key S3 answers a missing key with 403, not 404. Listing the key itself
      // tells the two apart: absent -> missing; present (or not listable) -> a real denial.
      if (isAccessDenied(error) && (await this.absent(key))) return undefined;
      this.fail("read", key, error);
    }
  }

  /** True only when a listing of exactly `key` succeeds and does not contain it. */
  private async absent(key: string): Promise<boolean> {
    try {
      const response = await this.client.send(
        new ListObjectsCommand({ Bucket: this.bucket, Prefix: this.key(key), MaxKeys: 1 }),
      );
      return !(response.Contents ?? []).some((object) => object.Key === this.key(key));
    } catch {
      return false;
    }
  }

  async put(key: string, body: Buffer | string, contentType?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.key(key), Body: body, ContentType: contentType }),
      );
    } catch (error) {
      this.fail("write", key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    // ListObjects (v1) paged by Marker = last key seen: the same keys as v2 on S3, and S3-protocol test servers
    // (s3rver on OpenSSL 3) fail to mint v2 continuation tokens.
    let marker: string | undefined;
    try {
      do {
        const response = await this.client.send(
          new ListObjectsCommand({
            Bucket: this.bucket,
            Prefix: this.key(prefix),
            Marker: marker,
            MaxKeys: this.listPageSize,
          }),
        );
        const page = (response.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
        for (const key of page) keys.push(key.slice(this.prefix.length));
        marker = response.IsTruncated && page.length > 0 ? page[page.length - 1] : undefined;
      } while (marker !== undefined);
    } catch (error) {
      this.fail("list", prefix, error);
    }
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += this.deleteBatchSize) {
      const batch = keys.slice(i, i + this.deleteBatchSize);
      try {
        const response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: batch.map((key) => ({ Key: this.key(key) })), Quiet: true },
          }),
        );
        const failed = (response.Errors ?? []).filter((e) => e.Code !== "NoSuchKey");
        if (failed.length > 0) {
          throw new StorageError({
            reason: "failed",
            action: "delete",
            key: `${failed.length} keys, e.g. ${failed[0]?.Key}`,
            location: this.location,
            problem: String(failed[0]?.Code),
          });
        }
      } catch (error) {
        if (error instanceof StorageError) throw error;
        this.fail("delete", `${batch.length} keys from ${batch[0]}`, error);
      }
    }
  }

  async download(key: string, file: string): Promise<void> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      await mkdir(path.dirname(file), { recursive: true });
      await pipeline(response.Body as Readable, createWriteStream(file));
    } catch (error) {
      await rm(file, { force: true });
      this.fail("download", key, error);
    }
  }

  async upload(file: string, key: string, contentType?: string): Promise<void> {
    try {
      const { size } = await stat(file);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(key),
          Body: createReadStream(file),
          ContentLength: size,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      this.fail("upload", key, error);
    }
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      const body = response.Body ? Buffer.from(await response.Body.transformToByteArray()) : Buffer.alloc(0);
      return { body, etag: response.ETag ?? "" };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      if (isAccessDenied(error) && (await this.absent(key))) return undefined;
      this.fail("read", key, error);
    }
  }

  /**
   * PutObject with `If-None-Match: *` or `If-Match: <etag>` (S3 conditional writes). A 409 ConditionalRequestConflict
   * (a concurrent write to the key) is a transient StorageError: the caller reads again and retries.
   */
  async putIf(key: string, body: Buffer | string, condition: PutCondition, contentType?: string): Promise<string> {
    const command = new PutObjectCommand({
      Bucket: this.bucket,
      Key: this.key(key),
      Body: body,
      ContentType: contentType,
      ...("ifNoneMatch" in condition ? { IfNoneMatch: "*" } : {}),
    });
    if ("ifMatch" in condition) {
      // If-Match on PutObject is newer than this SDK's model: sent as the header itself.
      command.middlewareStack.add(
        (next) => async (args) => {
          const request = args.request as { headers?: Record<string, string> };
          if (request.headers) request.headers["if-match"] = condition.ifMatch;
          return next(args);
        },
        { step: "build", name: "tunelakeIfMatch" },
      );
    }
    try {
      const response = await this.client.send(command);
      return response.ETag ?? "";
    } catch (error) {
      const lost = isPreconditionFailed(error) || ("ifMatch" in condition && isNotFound(error));
      if (lost) {
        const text = "ifNoneMatch" in condition ? "If-None-Match: *" : `If-Match: ${condition.ifMatch}`;
        throw new PreconditionFailedError({ key, location: this.location, condition: text }, { cause: error });
      }
      this.fail("write", key, error);
    }
  }
}
