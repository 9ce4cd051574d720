import { rm } from "node:fs/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COLUMN_STATS,
  CURATED_TABLES,
  columnStatsKey,
  curatedKey,
  TABLE_STATS,
  tableStatsKey,
} from "../../src/lake.ts";
import type { FsObjectStore } from "../../src/storage/fs-store.ts";
import {
  CATALOG_TABLES,
  CURATED_TABLE_DEFINITIONS,
  duckdbType,
  glueType,
  projectDefinedColumns,
} from "../../src/transform/curated-tables.ts";
import { transformFixturesIntoTempLake } from "./fixture-lake.ts";

const DATE = "2026-11-20";

let dir: string;
let curated: FsObjectStore;
let duck: DuckDBInstance;
let db: DuckDBConnection;

beforeAll(async () => {
  // Prepare: the transform over the fixture raw zone
  ({ dir, curated } = await transformFixturesIntoTempLake(DATE, "tunelake-curated-tables-"));
  duck = await DuckDBInstance.create(":memory:");
  db = await duck.connect();
});

afterAll(async () => {
  db?.closeSync();
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

async function parquetSchema(file: string): Promise<string[]> {
  const reader = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false)`);
  return reader.getRowObjectsJson().map((r) => `${r.column_name} ${r.column_type}`);
}

describe("curated table definitions", () => {
  it("name every curated table and table_stats, each with its key among its columns", () => {
    // Assess
    expect(Object.keys(CURATED_TABLE_DEFINITIONS).sort()).toEqual([...CATALOG_TABLES].sort());
    for (const def of Object.values(CURATED_TABLE_DEFINITIONS)) {
      const names = def.columns.map((c) => c.name);
      expect(new Set(names).size, `${def.name} has a repeated column`).toBe(names.length);
      for (const key of def.key) expect(names, `${def.name} key ${key}`).toContain(key);
      expect(names).not.toContain("dt");
    }
  });

  it.each(CURATED_TABLES)("%s: the transform writes exactly the defined columns and types, in order", async (table) => {
    // Act
    const schema = await parquetSchema(curated.localPath(curatedKey(table, DATE)));
    // Assess
    expect(schema).toEqual(CURATED_TABLE_DEFINITIONS[table].columns.map((c) => `${c.name} ${duckdbType(c.type)}`));
  });

  it("table_stats parts have the defined columns", async () => {
    const schema = await parquetSchema(curated.localPath(tableStatsKey(DATE, "artists")));
    expect(schema).toEqual(
      CURATED_TABLE_DEFINITIONS[TABLE_STATS].columns.map((c) => `${c.name} ${duckdbType(c.type)}`),
    );
  });

  it("column_stats parts have the defined columns", async () => {
    const schema = await parquetSchema(curated.localPath(columnStatsKey(DATE, "artists")));
    expect(schema).toEqual(
      CURATED_TABLE_DEFINITIONS[COLUMN_STATS].columns.map((c) => `${c.name} ${duckdbType(c.type)}`),
    );
  });

  it("projects a select onto the definition, casting and reordering, and fails on a missing column", async () => {
    // Act
    const sql = projectDefinedColumns(
      "album_artists",
      "SELECT '2026-10-01T23:30:00Z' AS _fetched_at, 3 AS artist_position, 'ar' AS artist_id, 'al' AS album_id, 'extra' AS ignored",
    );
    const rows = (await db.runAndReadAll(sql)).getRowObjectsJson();
    // Assess: `_fetched_dt` is derived from `_fetched_at` (the declaration's expression), not read from the SELECT.
    expect(rows).toEqual([
      {
        album_id: "al",
        artist_id: "ar",
        artist_position: 3,
        _fetched_at: "2026-10-01 23:30:00",
        _fetched_dt: "2026-10-01",
      },
    ]);
    await expect(db.run(projectDefinedColumns("album_artists", "SELECT 1 AS album_id"))).rejects.toThrow(/artist_id/);
  });

  it("maps every type to a Glue type Athena reads", () => {
    const types = Object.values(CURATED_TABLE_DEFINITIONS).flatMap((d) => d.columns.map((c) => glueType(c.type)));
    expect(new Set(types)).toEqual(
      new Set(["string", "int", "bigint", "boolean", "date", "timestamp", "array<string>"]),
    );
  });
});
