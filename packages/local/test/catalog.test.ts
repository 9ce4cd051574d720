import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CATALOG_TABLES } from "@tunelake/core/transform/curated-tables";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crawlCuratedZone, crawlerLogFile, openLocalCatalog, readCatalog } from "../src/catalog.ts";
import { CatalogNotFoundError } from "../src/errors.ts";
import { tempHome, writeCuratedFixture } from "./lake-fixture.ts";

/** Writes one Parquet file from a SELECT (DuckDB), creating its folder. */
async function writeParquet(file: string, select: string): Promise<void> {
  await mkdir(join(file, ".."), { recursive: true });
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    await connection.run(`COPY (${select}) TO '${file}' (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    db.closeSync();
  }
}

describe("local catalog", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => cleanup());

  it("has no tables before the first crawl, and a query says to run the pipeline", async () => {
    // Act
    const catalog = await openLocalCatalog(home);

    // Assess
    try {
      expect(await catalog.tables()).toEqual([]);
      await expect(catalog.query("SELECT * FROM tracks")).rejects.toBeInstanceOf(CatalogNotFoundError);
      await expect(catalog.query("SELECT * FROM tracks")).rejects.toThrow(/run the pipeline first/);
    } finally {
      catalog.close();
    }
  });

  it("registers one table per folder with dt as a string partition, skipping _ folders and folders without Parquet", async () => {
    // Prepare
    await writeCuratedFixture(home, "2026-11-20");
    await writeCuratedFixture(home, "2026-11-21");
    await mkdir(join(home, "lake", "curated", "_tmp", "dt=2026-11-21"), { recursive: true });
    await writeFile(join(home, "lake", "curated", "_tmp", "dt=2026-11-21", "x.parquet"), "not parquet");
    await mkdir(join(home, "lake", "curated", "empty_table", "dt=2026-11-21"), { recursive: true });

    // Act
    const crawled = await crawlCuratedZone(home);
    const catalog = await openLocalCatalog(home);

    // Assess
    try {
      expect(crawled.tables.map((t) => t.name)).not.toContain("_tmp");
      expect(crawled.tables.map((t) => t.name)).not.toContain("empty_table");
      const tracks = (await readCatalog(home))?.tables.find((t) => t.name === "tracks");
      expect(tracks?.partitions).toEqual(["2026-11-20", "2026-11-21"]);
      expect(tracks?.partitionKeys).toEqual([{ name: "dt", type: "string" }]);
      expect(tracks?.columns.map((c) => c.name)).toContain("duration_ms");
      expect(await catalog.tables()).toHaveLength(CATALOG_TABLES.length);
      const rows = await catalog.query(
        "SELECT dt, count(*) AS n, sum(duration_ms) AS total, typeof(dt) AS dt_type FROM tracks GROUP BY dt ORDER BY dt",
      );
      expect(rows).toEqual([
        { dt: "2026-11-20", n: 3, total: 530000, dt_type: "VARCHAR" },
        { dt: "2026-11-21", n: 3, total: 530000, dt_type: "VARCHAR" },
      ]);
      expect(await catalog.query("SELECT played_at FROM plays WHERE dt = '2026-11-21'")).toEqual([
        { played_at: "2026-11-20T08:00:00.000Z" },
      ]);
    } finally {
      catalog.close();
    }
  });

  it("declares every curated table with its defined columns, even one that has no file yet", async () => {
    // Prepare: only the artists entity wrote anything.
    await writeCuratedFixture(home, "2026-11-21", { entities: ["artists"] });

    // Act
    const crawled = await crawlCuratedZone(home);
    const catalog = await openLocalCatalog(home);

    // Assess
    try {
      expect(crawled.tables.map((t) => t.name).sort()).toEqual([...CATALOG_TABLES].sort());
      expect(crawled.tables.find((t) => t.name === "plays")?.partitions).toEqual([]);
      const rows = await catalog.queryTable("SELECT * FROM plays WHERE dt = '2026-11-21'");
      expect(rows.rows).toEqual([]);
      expect(rows.columns).toEqual([
        { name: "played_at", type: "TIMESTAMP" },
        { name: "track_id", type: "VARCHAR" },
        { name: "context_uri", type: "VARCHAR" },
        { name: "context_type", type: "VARCHAR" },
        { name: "_fetched_at", type: "TIMESTAMP" },
        { name: "dt", type: "VARCHAR" },
      ]);
      // A defined column the fixture's files do not have reads as NULL, as Athena reads Parquet by name.
      expect(await catalog.query("SELECT uri FROM artists WHERE dt = '2026-11-21' LIMIT 1")).toEqual([{ uri: null }]);
    } finally {
      catalog.close();
    }
  });

  it("registers only declared tables, and logs a file whose schema differs from its table's while keeping it", async () => {
    // Prepare: a folder that is no declared table, and a table_stats file with a wrong type and an extra column.
    const curated = join(home, "lake", "curated");
    await writeParquet(join(curated, "not_a_table", "dt=2026-11-21", "part-00000.parquet"), "SELECT 1 AS x");
    await writeParquet(
      join(curated, "table_stats", "dt=2026-11-21", "part-artists.parquet"),
      "SELECT 'artists' AS table_name, '2' AS row_count, 0::BIGINT AS reject_count, 'artists' AS entity, 1 AS extra",
    );

    // Act
    const crawled = await crawlCuratedZone(home);

    // Assess
    expect(crawled.tables.map((t) => t.name)).not.toContain("not_a_table");
    expect(crawled.tables.find((t) => t.name === "table_stats")?.partitions).toEqual(["2026-11-21"]);
    expect(crawled.schemaMismatches).toEqual([
      {
        table: "table_stats",
        partition: "2026-11-21",
        file: "part-artists.parquet",
        problems: [
          "column row_count is VARCHAR, the table declares BIGINT",
          "column extra is not declared (Athena does not see it)",
        ],
      },
    ]);
    const log = (await readFile(crawlerLogFile(home), "utf8")).trim().split("\n");
    expect(log).toHaveLength(1);
    expect(JSON.parse(log[0]!)).toMatchObject({ table: "table_stats", file: "part-artists.parquet" });
    const catalog = await openLocalCatalog(home);
    try {
      // Read with the table's types: a value that fits converts, as Athena converts compatible Parquet types.
      expect(await catalog.query("SELECT row_count FROM table_stats")).toEqual([{ row_count: 2 }]);
    } finally {
      catalog.close();
    }
  });
});
