import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { PreconditionFailedError, StorageError } from "../errors.ts";
import { pollUntil } from "../resilience.ts";
import type { ConditionalObjectStore, PutCondition, TaggedObject } from "./object-store.ts";

/** S3's ETag of a single-part object: the quoted MD5 of its bytes. */
const etagOf = (body: Buffer): string => `"${createHash("md5").update(body).digest("hex")}"`;
/** A lock older than this was left by a dead process. */
const STALE_LOCK_MS = 10_000;

/**
 * An ObjectStore on a local directory: the laptop's stand-in for an S3 bucket. Writes are atomic (temp + rename);
 * conditional writes honour If-None-Match/If-Match like S3, under a per-key lock file.
 */
export class FsObjectStore implements ConditionalObjectStore {
  readonly location: string;

  constructor(readonly root: string) {
    this.location = path.resolve(root);
  }

  /** Throws the StorageError of a failed `action` on `key`. */
  private fail(action: string, key: string, error: unknown): never {
    throw new StorageError(
      { reason: "failed", action, key, location: this.location, problem: (error as Error)?.message },
      { cause: error },
    );
  }

  localPath(key: string): string {
    const full = path.resolve(this.location, key);
    if (full !== this.location && !full.startsWith(this.location + path.sep)) {
      throw new StorageError({ reason: "keyOutsideRoot", key, location: this.location });
    }
    return full;
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.localPath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      this.fail("read", key, error);
    }
  }

  async put(key: string, body: Buffer | string): Promise<void> {
    const file = this.localPath(key);
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, file);
    } catch (error) {
      await rm(tmp, { force: true });
      this.fail("write", key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    // Walk from the deepest directory the prefix names, then filter by the full prefix.
    const dirPart = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    const start = this.localPath(dirPart);
    const walk = async (dir: string): Promise<void> => {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
        this.fail("list", prefix, error);
      }
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (!entry.name.includes(".tmp-")) {
          const key = path.relative(this.location, full).split(path.sep).join("/");
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    await walk(start);
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => rm(this.localPath(key), { force: true })));
  }

  async download(key: string, file: string): Promise<void> {
    try {
      await mkdir(path.dirname(file), { recursive: true });
      await copyFile(this.localPath(key), file);
    } catch (error) {
      this.fail("download", key, error);
    }
  }

  async upload(file: string, key: string): Promise<void> {
    const target = this.localPath(key);
    const tmp = `${target}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(createReadStream(file), createWriteStream(tmp));
      await rename(tmp, target);
    } catch (error) {
      await rm(tmp, { force: true });
      this.fail(`upload ${file} to`, key, error);
    }
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    const body = await this.get(key);
    return body ? { body, etag: etagOf(body) } : undefined;
  }

  async putIf(key: string, body: Buffer | string, condition: PutCondition): Promise<string> {
    const file = this.localPath(key);
    const lock = `${file}.tmp-lock`;
    await mkdir(path.dirname(file), { recursive: true });
    await this.acquire(lock, key);
    try {
      const current = await this.getTagged(key);
      const holds =
        "ifNoneMatch" in condition
          ? current === undefined
          : current !== undefined && current.etag.replace(/"/g, "") === condition.ifMatch.replace(/"/g, "");
      if (!holds) {
        const text = "ifNoneMatch" in condition ? "If-None-Match: *" : `If-Match: ${condition.ifMatch}`;
        throw new PreconditionFailedError({ key, location: this.location, condition: text });
      }
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
      await this.put(key, bytes);
      return etagOf(bytes);
    } finally {
      await rm(lock, { force: true });
    }
  }

  /** Takes the key's lock file (O_EXCL), waiting for another writer; breaks a lock left by a dead process. */
  private async acquire(lock: string, key: string): Promise<void> {
    await pollUntil(
      async () => {
        try {
          await (await open(lock, "wx")).close();
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
            this.fail("lock", key, error);
          }
          const age = await stat(lock).then(
            (s) => Date.now() - s.mtimeMs,
            () => 0,
          );
          // A lock older than any write holds it is a dead writer's: broken, and taken at the next check.
          if (age > STALE_LOCK_MS) await rm(lock, { force: true });
          return undefined;
        }
      },
      { intervalMs: (checks) => Math.min(50, 2 + checks) },
    );
  }
}
