import {
  bindExecutionParameters,
  buildChecksSql,
  CHECKS_PARAMETER_COUNT,
  checkNames,
  checksParameters,
} from "@tunelake/core/checks/checks-sql";
import { analyzeTrinoSql, TRINO_MAX_STAGES } from "@tunelake/core/checks/trino-sql";
import { CURATED_TABLES, TABLE_STATS } from "@tunelake/core/lake";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crawlCuratedZone, openLocalCatalog } from "../src/catalog.ts";
import { failedChecks, runChecksLocally } from "../src/run-checks.ts";
import { type FixtureOptions, tempHome, VALID_TABLES, writeCuratedFixture } from "./lake-fixture.ts";

const DATE = "2026-11-21";

describe("checks SQL", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => cleanup());

  async function runChecks(options: FixtureOptions = {}, date = DATE) {
    await writeCuratedFixture(home, date, options);
    await crawlCuratedZone(home);
    const catalog = await openLocalCatalog(home);
    try {
      return await runChecksLocally(catalog, date);
    } finally {
      catalog.close();
    }
  }

  it("reports one row per check, all zero, on consistent data", async () => {
    // Act
    const results = await runChecks();

    // Assess
    expect(results.map((r) => r.check_name).sort()).toEqual(checkNames().sort());
    expect(failedChecks(results)).toEqual([]);
  });

  it("judges only the run date: a broken other date does not fail this one", async () => {
    // Prepare
    await writeCuratedFixture(home, "2026-11-20", {
      tables: { artists: `SELECT * FROM (${VALID_TABLES.artists}) UNION ALL SELECT * FROM (${VALID_TABLES.artists})` },
    });

    // Act
    const results = await runChecks();

    // Assess
    expect(failedChecks(results)).toEqual([]);
  });

  const dup = (table: keyof typeof VALID_TABLES) =>
    `SELECT * FROM (${VALID_TABLES[table]}) UNION ALL (SELECT * FROM (${VALID_TABLES[table]}) LIMIT 1)`;
  const cases: { name: string; check: string; failedRows: number; options: FixtureOptions }[] = [
    {
      name: "a duplicate artist id",
      check: "artists_key_unique",
      failedRows: 1,
      options: { tables: { artists: dup("artists") } },
    },
    {
      name: "a NULL track id",
      check: "tracks_key_not_null",
      failedRows: 1,
      options: { tables: { tracks: VALID_TABLES.tracks.replace("('tr3'", "(NULL") } },
    },
    {
      name: "a duplicate playlist position",
      check: "playlist_items_key_unique",
      failedRows: 1,
      options: { tables: { playlist_items: VALID_TABLES.playlist_items.replace("('pl1', 1,", "('pl1', 0,") } },
    },
    {
      name: "a duplicate search rank",
      check: "search_results_key_unique",
      failedRows: 1,
      options: { tables: { search_results: VALID_TABLES.search_results.replace("'album', 2,", "'album', 1,") } },
    },
    {
      name: "a track whose album is missing",
      check: "tracks_album_id_resolves",
      failedRows: 1,
      options: { tables: { tracks: VALID_TABLES.tracks.replace("'al2', 150000", "'al9', 150000") } },
    },
    {
      name: "a track artist that is not an artist",
      check: "track_artists_artist_id_resolves",
      failedRows: 1,
      options: { tables: { track_artists: VALID_TABLES.track_artists.replace("('tr3', 'ar2'", "('tr3', 'ar9'") } },
    },
    {
      name: "a playlist track that is not a track",
      check: "playlist_items_item_id_resolves",
      failedRows: 1,
      options: { tables: { playlist_items: VALID_TABLES.playlist_items.replace("'tr2', 'track'", "'tr9', 'track'") } },
    },
    {
      name: "an unknown release date precision",
      check: "albums_release_date_precision_valid",
      failedRows: 1,
      options: { tables: { albums: VALID_TABLES.albums.replace("'month'", "'week'") } },
    },
    {
      name: "a zero duration",
      check: "tracks_duration_ms_positive",
      failedRows: 1,
      options: { tables: { tracks: VALID_TABLES.tracks.replace("180000", "0") } },
    },
    {
      name: "rows fetched longer ago than the freshness tolerance (carried forward stale)",
      check: "artists_fetched_within_tolerance",
      failedRows: 1,
      options: {
        tables: {
          artists: `SELECT *, CASE artist_id WHEN 'ar1' THEN TIMESTAMP '2026-09-01 12:00:00' ELSE TIMESTAMP '2026-11-01 12:00:00' END AS _fetched_at FROM (${VALID_TABLES.artists})`,
        },
      },
    },
    {
      name: "fewer rows than the transform reported",
      check: "albums_row_count_matches_report",
      failedRows: 3,
      options: { reported: { albums: { rows: 5, rejects: 0 } } },
    },
    {
      name: "an empty table although the source produced rows (all rejected)",
      check: "plays_not_empty",
      failedRows: 1,
      options: { tables: { plays: `${VALID_TABLES.plays} WHERE false` }, reported: { plays: { rows: 0, rejects: 4 } } },
    },
    {
      name: "a table the transform did not report",
      check: "artists_row_count_matches_report",
      failedRows: 1,
      options: { omitStats: ["artists"] },
    },
  ];

  it.each(cases)("catches $name ($check)", async ({ check, failedRows, options }) => {
    // Act
    const results = await runChecks(options);

    // Assess
    expect(results[0]).toEqual({ check_name: check, failed_rows: failedRows });
    expect(failedChecks(results).map((r) => r.check_name)).toContain(check);
  });

  it("binds the run date as Athena binds ExecutionParameters", () => {
    // Prepare
    const sql = buildChecksSql();

    // Act
    const bound = bindExecutionParameters(sql, checksParameters(DATE));

    // Assess
    expect(sql.split("?").length - 1).toBe(CHECKS_PARAMETER_COUNT);
    expect(bound).not.toContain("?");
    expect(bound).toContain(`"dt" = '${DATE}'`);
    expect(() => bindExecutionParameters(sql, ["'x'"])).toThrow(/ExecutionParameters/);
  });

  it("parses with the Trino grammar and, with CTEs inlined, reads each curated table at most twice and table_stats once", () => {
    // Act
    const analysis = analyzeTrinoSql(buildChecksSql());

    // Assess
    for (const table of CURATED_TABLES) {
      expect(analysis.tableReads[table], table).toBeGreaterThanOrEqual(1);
      expect(analysis.tableReads[table], table).toBeLessThanOrEqual(2);
    }
    expect(analysis.tableReads[TABLE_STATS]).toBe(1);
    expect(Object.keys(analysis.tableReads).sort()).toEqual([...CURATED_TABLES, TABLE_STATS].sort());
    expect(analysis.estimatedStages).toBeLessThan(TRINO_MAX_STAGES / 2);
  });

  it("puts every ? in a WHERE clause, one per table read", () => {
    const analysis = analyzeTrinoSql(buildChecksSql());

    expect(analysis.parameters).toHaveLength(CHECKS_PARAMETER_COUNT);
    expect(analysis.parameters.filter((p) => !p.inWhere)).toEqual([]);
    expect(analysis.totalReads).toBe(CHECKS_PARAMETER_COUNT);
  });
});
