import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baselineTransform } from "../../../../bench/transform-baseline.ts";
import { writeSyntheticRaw } from "../../../../bench/transform-data.ts";
import { CURATED_TABLES } from "../../src/lake.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import { transformAll } from "../../src/transform/run-transform.ts";

// The transform benchmark is only meaningful if the plain-JS baseline does the same work: same tables, same rows.
describe("transform benchmark parity", () => {
  let dir: string;
  let ours: Record<string, number>;
  let baseline: Record<string, number>;

  beforeAll(async () => {
    // Prepare
    dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-parity-"));
    const rawDir = path.join(dir, "raw");
    const { date } = await writeSyntheticRaw(rawDir, 3000);
    // Act
    const results = await transformAll({
      date,
      raw: new FsObjectStore(rawDir),
      curated: new FsObjectStore(path.join(dir, "curated")),
      workDir: path.join(dir, "work"),
      threads: 1,
    });
    ours = Object.fromEntries(results.flatMap((r) => r.tables.map((t) => [t.table, t.rows])));
    baseline = (await baselineTransform(rawDir, date, path.join(dir, "baseline"))).rows;
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes the same tables with the same row counts as the DuckDB transform", () => {
    // Assess
    expect(ours.playlist_items).toBe(3000);
    // The synthetic day holds the raw entities the baseline reads; every other table is empty in both.
    expect(baseline).toEqual(Object.fromEntries(Object.keys(baseline).map((t) => [t, ours[t]])));
    for (const table of CURATED_TABLES.filter((t) => !(t in baseline))) expect(ours[table], table).toBe(0);
  });
});
