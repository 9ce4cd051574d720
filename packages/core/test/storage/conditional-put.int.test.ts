/**
 * Conditional writes, one contract for both adapters: the filesystem store, and the S3 store against moto_server 5.2
 * (which implements S3's If-None-Match and If-Match on PutObject). Skipped visibly when moto is not installed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DUMMY_CREDENTIALS,
  detectMoto,
  MOTO_REGION,
  type MotoServer,
  startMoto,
} from "../../../aws/test/moto-server.ts";
import { PreconditionFailedError } from "../../src/errors.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import type { ConditionalObjectStore } from "../../src/storage/object-store.ts";
import { S3ObjectStore } from "../../src/storage/s3-store.ts";

const moto = await detectMoto();
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): the S3 conditional-write tests against it are skipped.`);

let tmp: string;
let server: MotoServer | undefined;
let client: S3Client | undefined;
let counter = 0;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-conditional-"));
  if (moto.available) {
    server = await startMoto();
    client = new S3Client({
      region: MOTO_REGION,
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: DUMMY_CREDENTIALS,
    });
    await client.send(new CreateBucketCommand({ Bucket: "raw" }));
  }
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await server?.stop();
  await rm(tmp, { recursive: true, force: true });
});

/**
 * Why an adapter's server cannot show that concurrent creators race safely, or undefined when it can. S3 decides
 * If-None-Match and the write as one step; moto_server checks the condition, then writes, on concurrent request
 * threads, so two of eight concurrent creators sometimes both win there (seen on a clean-clone CI run). That is
 * moto's limit, not the adapter's: the race is shown on the file store (whose atomic create is ours) and skipped,
 * saying so, on moto.
 */
const MOTO_RACES =
  "moto_server checks If-None-Match and then writes in two steps, so concurrent creators can both win there (S3 is atomic)";

const adapters: [string, boolean, () => ConditionalObjectStore, string | undefined][] = [
  ["FsObjectStore", true, () => new FsObjectStore(path.join(tmp, `fs-${++counter}`)), undefined],
  [
    "S3ObjectStore on moto_server",
    moto.available,
    () => new S3ObjectStore({ bucket: "raw", client: client!, prefix: `run-${++counter}/` }),
    MOTO_RACES,
  ],
];

describe.each(adapters)("conditional put: %s", (_name, available, makeStore, racesHere) => {
  it.skipIf(!available)("creates a key only if absent (If-None-Match: *)", async () => {
    const store = makeStore();
    const key = "_checkpoints/dt=2026-11-21/writer.json";

    const etag = await store.putIf(key, '{"writer":"a"}', { ifNoneMatch: "*" });
    const second = await store.putIf(key, '{"writer":"b"}', { ifNoneMatch: "*" }).catch((e: unknown) => e);

    expect(etag).toMatch(/^"?[0-9a-f]{32}"?$/);
    expect(second).toBeInstanceOf(PreconditionFailedError);
    expect((second as PreconditionFailedError).transient).toBe(false);
    expect((await store.get(key))?.toString()).toBe('{"writer":"a"}');
  });

  it.skipIf(!available)("replaces only the version it read (If-Match)", async () => {
    const store = makeStore();
    const key = "_checkpoints/dt=2026-11-21/extract.json";
    await store.putIf(key, "v1", { ifNoneMatch: "*" });
    const read = await store.getTagged(key);

    const next = await store.putIf(key, "v2", { ifMatch: read!.etag });
    const stale = await store.putIf(key, "v3", { ifMatch: read!.etag }).catch((e: unknown) => e);
    const gone = await store.putIf("absent.json", "x", { ifMatch: read!.etag }).catch((e: unknown) => e);

    expect(next).not.toBe(read!.etag);
    expect((await store.getTagged(key))?.etag.replace(/"/g, "")).toBe(next.replace(/"/g, ""));
    expect(stale).toBeInstanceOf(PreconditionFailedError);
    expect(gone).toBeInstanceOf(PreconditionFailedError);
    expect((await store.get(key))?.toString()).toBe("v2");
  });

  it.skipIf(!available || racesHere !== undefined)(
    `lets exactly one of many concurrent writers create the key${racesHere ? ` (skipped: ${racesHere})` : ""}`,
    async () => {
      const store = makeStore();
      const key = "_checkpoints/dt=2026-11-22/writer.json";

      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => store.putIf(key, `writer-${i}`, { ifNoneMatch: "*" })),
      );

      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(lost.every((r) => r.reason instanceof PreconditionFailedError)).toBe(true);
    },
  );

  it.skipIf(!available)("reads a missing key as undefined, with no tag", async () => {
    expect(await makeStore().getTagged("nothing/here.json")).toBeUndefined();
  });
});
