import { describe, expect, it } from "vitest";
import { PreconditionFailedError } from "../../src/errors.ts";
import { CheckpointFence, type ExtractCheckpoint } from "../../src/extract/checkpoint.ts";
import { checkpointKey } from "../../src/lake.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";
import { tempStore } from "./helpers.ts";

const DATE = "2026-11-21";
const checkpoint = (execution: string, done: string[] = []): ExtractCheckpoint =>
  ({
    version: 1,
    date: DATE,
    fingerprint: "f",
    execution,
    finished: false,
    slices: 0,
    done,
  }) as unknown as ExtractCheckpoint;

describe("checkpoint fence: one writer per date", () => {
  it("lets the first of two extracts of a date write, and stops the second at its next write", async () => {
    // Prepare: two extracts of the same date read the (absent) checkpoint.
    const { store, cleanup } = await tempStore();
    try {
      const first = new CheckpointFence(store, DATE);
      const second = new CheckpointFence(store, DATE);
      expect(await first.read()).toBeUndefined();
      expect(await second.read()).toBeUndefined();

      // Act
      await first.write(checkpoint("run-a", ["album:1"]));
      const lost = await second.write(checkpoint("run-b")).catch((e: unknown) => e);
      await first.write(checkpoint("run-a", ["album:1", "album:2"]));

      // Assess: the second writer lost, terminally; the first kept writing on its own versions.
      expect(lost).toBeInstanceOf(PreconditionFailedError);
      expect((lost as PreconditionFailedError).transient).toBe(false);
      expect((await new CheckpointFence(store, DATE).read())?.done).toEqual(["album:1", "album:2"]);
    } finally {
      await cleanup();
    }
  });

  it("continues a checkpoint it read (the next slice, a redrive) and adopts its own write whose answer was lost", async () => {
    const { store, cleanup } = await tempStore();
    try {
      await new CheckpointFence(store, DATE).write(checkpoint("run-a"));
      const next = new CheckpointFence(store, DATE);
      expect((await next.read())?.execution).toBe("run-a");
      await next.write(checkpoint("run-a", ["album:1"]));

      // The write landed but its answer was lost: the same bytes are there under a tag the fence never saw.
      const landed = checkpoint("run-a", ["album:1", "album:2"]);
      await store.put(checkpointKey(DATE), `${JSON.stringify(landed)}\n`);
      await next.write(landed);
      await next.write(checkpoint("run-a", ["album:1", "album:2", "album:3"]));

      expect((await new CheckpointFence(store, DATE).read())?.done).toHaveLength(3);
    } finally {
      await cleanup();
    }
  });

  it("writes plainly to a store without conditional writes", async () => {
    const { store, cleanup } = await tempStore();
    try {
      const plain: ObjectStore = {
        location: store.location,
        get: (k) => store.get(k),
        put: (k, b) => store.put(k, b),
        list: (p) => store.list(p),
        delete: (k) => store.delete(k),
        download: (k, f) => store.download(k, f),
        upload: (f, k) => store.upload(f, k),
      };
      const a = new CheckpointFence(plain, DATE);
      const b = new CheckpointFence(plain, DATE);
      await a.read();
      await b.read();
      await a.write(checkpoint("run-a"));
      await b.write(checkpoint("run-b"));
      expect((await new CheckpointFence(plain, DATE).read())?.execution).toBe("run-b");
    } finally {
      await cleanup();
    }
  });
});
