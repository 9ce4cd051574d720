/**
 * The S3 store under a role that may read but not list: real S3 answers a GetObject of a missing key with 403
 * AccessDenied instead of 404. moto_server 5.2 does not model that (it authorizes GetObject alone and answers 404), so
 * S3's decision is reproduced on the client, in front of a real S3-protocol server (s3rver): a 404 becomes S3's 403,
 * and listings can be denied too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageAccessDeniedError, StorageError } from "../../src/errors.ts";
import { S3ObjectStore } from "../../src/storage/s3-store.ts";

let tmp: string;
let s3rver: S3rver;
let port: number;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-s3-access-"));
  s3rver = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: path.join(tmp, "s3rver"),
    configureBuckets: [{ name: "raw" }],
  });
  ({ port } = await s3rver.run());
});
afterAll(async () => {
  await s3rver?.close();
  await rm(tmp, { recursive: true, force: true });
});

const accessDenied = () =>
  new S3ServiceException({
    name: "AccessDenied",
    $fault: "client",
    $metadata: { httpStatusCode: 403 },
    message: "Access Denied",
  });

/**
 * A client with a role's rights: `canList` s3:ListBucket on the keys' prefixes, `canGet` s3:GetObject, and
 * `missingIs403` for S3 answering a missing key with 403 although the prefix may be listed (a ListBucket grant S3 does
 * not count for GetObject, e.g. one whose s3:prefix condition does not cover the key).
 */
function client(rights: { canList: boolean; canGet?: boolean; missingIs403?: boolean }): S3Client {
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ListObjectsCommand" && !rights.canList) throw accessDenied();
      if (context.commandName === "GetObjectCommand" && rights.canGet === false) throw accessDenied();
      try {
        return await next(args);
      } catch (error) {
        // S3 hides a missing key from a caller that may not list it.
        const missing = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
        const hidden = !rights.canList || rights.missingIs403 === true;
        if (context.commandName === "GetObjectCommand" && missing && hidden) throw accessDenied();
        throw error;
      }
    },
    { step: "initialize", name: "roleRights" },
  );
  return s3;
}

describe("S3 store under a role's rights", () => {
  it("reads a missing checkpoint as missing when the role may list the folder (S3 answers 404)", async () => {
    const store = new S3ObjectStore({ bucket: "raw", client: client({ canList: true }) });
    await expect(store.get("_checkpoints/dt=2026-11-21/extract.json")).resolves.toBeUndefined();
  });

  it("reads a missing key as missing even when S3 answers 403, by listing the key", async () => {
    // Without s3:ListBucket S3 says 403 for the missing key; the store's list of the key itself is what tells.
    const store = new S3ObjectStore({ bucket: "raw", client: client({ canList: true, missingIs403: true }) });
    const denyingGet = new S3ObjectStore({ bucket: "raw", client: client({ canList: true, canGet: false }) });
    await store.put("_manifests/dt=2026-11-21/manifest.json", "{}");

    await expect(store.get("_manifests/dt=2026-11-22/manifest.json")).resolves.toBeUndefined();
    // The key exists, so a 403 is a real denial: terminal, naming the fix.
    const error = await denyingGet.get("_manifests/dt=2026-11-21/manifest.json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    expect((error as StorageAccessDeniedError).transient).toBe(false);
    expect((error as Error).message).toContain("lakeAccess");
  });

  it("fails terminally, not as a retried StorageError, when the role may neither list nor tell", async () => {
    const store = new S3ObjectStore({ bucket: "raw", client: client({ canList: false }) });

    const error = await store.get("_checkpoints/dt=2026-11-21/extract.json").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StorageAccessDeniedError);
    expect(error).not.toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain("_checkpoints/dt=2026-11-21/extract.json");
  });
});
