import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CatalogNotFoundError, crawlCuratedZone, openLocalCatalog, readCatalog } from "../../src/local/catalog.ts";
import { tempHome, writeCuratedFixture } from "./lake-fixture.ts";

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
      expect(await catalog.tables()).toHaveLength(11);
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
});
