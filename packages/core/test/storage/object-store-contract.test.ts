import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageError } from "../../src/errors.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";
import { S3ObjectStore } from "../../src/storage/s3-store.ts";

// One contract, two adapters: the filesystem store and the S3 store against a real S3-protocol server (s3rver).
let tmp: string;
let s3rver: S3rver;
let client: S3Client;
let counter = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-store-"));
  s3rver = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: path.join(tmp, "s3rver"),
    configureBuckets: [{ name: "lake" }],
  });
  const { port } = await s3rver.run();
  client = new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
});

afterAll(async () => {
  client?.destroy();
  await s3rver?.close();
  await rm(tmp, { recursive: true, force: true });
});

const adapters: Array<[string, () => ObjectStore]> = [
  ["FsObjectStore", () => new FsObjectStore(path.join(tmp, `fs-${++counter}`))],
  [
    "S3ObjectStore",
    () =>
      new S3ObjectStore({ bucket: "lake", client, prefix: `run-${++counter}/`, listPageSize: 2, deleteBatchSize: 2 }),
  ],
];

describe.each(adapters)("%s", (_name, makeStore) => {
  it("returns what was put, and undefined for a missing key", async () => {
    // Prepare
    const store = makeStore();
    // Act
    await store.put("a/b.json", '{"x":1}', "application/json");
    await store.put("a/c.bin", Buffer.from([0, 1, 2]));
    // Assess
    expect((await store.get("a/b.json"))?.toString()).toBe('{"x":1}');
    expect([...((await store.get("a/c.bin")) ?? [])]).toEqual([0, 1, 2]);
    expect(await store.get("a/missing")).toBeUndefined();
  });

  it("lists keys under a prefix, sorted, across list pages", async () => {
    // Prepare
    const store = makeStore();
    const keys = [
      "t/dt=2026-01-02/part-00001.ndjson.gz",
      "t/dt=2026-01-02/part-00000.ndjson.gz",
      "t/dt=2026-01-03/x",
      "u/y",
    ];
    for (const key of keys) await store.put(key, key);
    // Act
    const listed = await store.list("t/dt=2026-01-02/");
    const all = await store.list("t/");
    // Assess
    expect(listed).toEqual(["t/dt=2026-01-02/part-00000.ndjson.gz", "t/dt=2026-01-02/part-00001.ndjson.gz"]);
    expect(all).toHaveLength(3);
    expect(await store.list("nothing/")).toEqual([]);
  });

  it("deletes keys in batches and ignores missing ones", async () => {
    // Prepare
    const store = makeStore();
    for (let i = 0; i < 5; i++) await store.put(`d/${i}`, String(i));
    // Act
    await store.delete(["d/0", "d/1", "d/2", "d/3", "d/missing"]);
    // Assess
    expect(await store.list("d/")).toEqual(["d/4"]);
  });

  it("streams an upload and a download through local files", async () => {
    // Prepare
    const store = makeStore();
    const source = path.join(tmp, `upload-${counter}.bin`);
    const target = path.join(tmp, `download-${counter}`, "nested", "file.bin");
    const body = Buffer.alloc(256 * 1024, 7);
    await writeFile(source, body);
    // Act
    await store.upload(source, "files/big.bin", "application/octet-stream");
    await store.download("files/big.bin", target);
    // Assess
    expect((await readFile(target)).equals(body)).toBe(true);
  });

  it("fails a download of a missing key with StorageError", async () => {
    // Prepare
    const store = makeStore();
    // Act
    const act = store.download("missing/key", path.join(tmp, "never", "file"));
    // Assess
    await expect(act).rejects.toBeInstanceOf(StorageError);
  });
});

describe("S3ObjectStore", () => {
  it("names its location after the bucket and prefix", () => {
    expect(new S3ObjectStore({ bucket: "raw", client, prefix: "lake" }).location).toBe("s3://raw/lake");
    expect(new S3ObjectStore({ bucket: "raw", client }).location).toBe("s3://raw");
  });
});
