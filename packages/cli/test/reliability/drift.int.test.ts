/**
 * API drift (the sample API's drift mode, `--inject-fault spotify-drift` / TUNELAKE_SAMPLE_SHAPE=drift): objects
 * missing fields, with nulls, fields of another type and unknown fields are all kept, in both response shapes; the
 * run succeeds with no rejects, and the columns left mostly empty are named with a reason.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CURATED_TABLES, manifestKey } from "@tunelake/core/lake";
import { REASONS } from "@tunelake/core/transform/column-coverage";
import { localStores } from "@tunelake/local/handlers";
import { createLocalQueryEngine } from "@tunelake/local/query-engine";
import { afterAll, describe, expect, it } from "vitest";
import { findSparseColumns } from "../../src/commands/coverage.ts";
import { CLEAN_RUN_DATE, fingerprint, rowCounts, runPipeline, startSample, tempHomes } from "./harness.ts";

const DATE = CLEAN_RUN_DATE;

describe("sample API drift", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(cleanupAll);

  it.each([
    ["2026", "extended"],
    ["2025", "development"],
  ] as const)(
    "%s shape, %s profile: every object is kept (no rejects), the tables fill, and the emptiest columns are named",
    async (shape, profile) => {
      // Prepare
      const server = await startSample(["spotify-drift"], { shape, profile });
      const home = await newHome(`drift-${shape}`);

      // Act
      const { record } = await runPipeline({ home, server, date: DATE }).finally(() => server.close());
      const engine = createLocalQueryEngine(home);
      const sparse = await findSparseColumns(engine, localStores(home).raw, DATE).finally(() => engine.close());

      // Assess
      expect(record.status, record.cause).toBe("SUCCEEDED");
      const manifest = JSON.parse(await readFile(path.join(home, "lake", "raw", manifestKey(DATE)), "utf8")) as {
        rejects: { count: number };
        accessProfile: string;
      };
      expect(manifest.rejects.count).toBe(0);
      const output = record.output as { transform: { tables: { rejects: number }[] }[] };
      expect(output.transform.flatMap((t) => t.tables).every((t) => t.rejects === 0)).toBe(true);
      const counts = rowCounts(await fingerprint(home, DATE));
      // A development app reads no entries of the configured (not its own) playlist; every other table has rows.
      expect(Object.keys(counts)).toHaveLength(CURATED_TABLES.length);
      for (const [table, rows] of Object.entries(counts)) {
        if (table !== "playlist_items" || profile === "extended") expect(rows, table).toBeGreaterThan(0);
      }
      expect(sparse.length).toBeGreaterThan(0);
      for (const column of sparse) expect(column.filled / column.rows).toBeLessThan(0.5);
      if (manifest.accessProfile === "development") {
        expect(sparse).toContainEqual(expect.objectContaining({ table: "artists", reason: REASONS.extended }));
      }
      expect(sparse.some((c) => c.reason === REASONS.shape)).toBe(true);
    },
  );
});
