import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { rejectsKey } from "@tunelake/core/lake";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { afterEach, expect, it } from "vitest";
import { readRejectReasons } from "../src/lake.ts";

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it("counts the rejects' reasons per file of a date, from the raw zone's gzipped NDJSON", async () => {
  dir = await mkdtemp(path.join(tmpdir(), "tunelake-console-lake-"));
  const raw = new FsObjectStore(dir);
  const lines = (...reasons: string[]) =>
    gzipSync(`${reasons.map((r, i) => JSON.stringify({ _reason: r, id: i })).join("\n")}\n`);
  await raw.put(rejectsKey("2026-12-01", "tracks"), lines("missing id", "missing id", "bad duration_ms"));
  await raw.put(rejectsKey("2026-12-01", "transform-albums"), lines("release_date unparseable"));
  await raw.put(rejectsKey("2026-11-30", "tracks"), lines("missing id"));

  const reasons = await readRejectReasons(raw, ["2026-12-01"]);

  expect(reasons).toEqual([
    { dt: "2026-12-01", file: "tracks.ndjson.gz", reason: "missing id", count: 2 },
    { dt: "2026-12-01", file: "tracks.ndjson.gz", reason: "bad duration_ms", count: 1 },
    { dt: "2026-12-01", file: "transform-albums.ndjson.gz", reason: "release_date unparseable", count: 1 },
  ]);
});
