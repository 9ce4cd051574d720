import { describe, expect, it } from "vitest";
import { analyzeTrinoSql, athenaRefusals, parseTrinoSql, TRINO_MAX_STAGES } from "../../src/checks/trino-sql.ts";
import { TrinoSqlError } from "../../src/errors.ts";

describe("Trino SQL analysis", () => {
  it.each([
    ["a :: cast", `SELECT "dt"::date FROM tracks WHERE dt = '2026-11-21'`],
    ["QUALIFY", "SELECT track_id FROM tracks QUALIFY row_number() OVER (PARTITION BY album_id) = 1"],
    ["a list literal", "SELECT [1, 2, 3] AS xs FROM tracks"],
    ["a list function", "SELECT list_value(track_id, album_id) FROM tracks"],
    ["list_extract", "SELECT list_extract(genres, 1) FROM artists"],
  ])("rejects DuckDB-only syntax: %s", (_name, sql) => {
    expect(() => parseTrinoSql(sql)).toThrow(TrinoSqlError);
    expect(athenaRefusals(sql)[0]).toMatch(/^SYNTAX_ERROR/);
  });

  it("accepts the Trino forms of the same things", () => {
    expect(() =>
      parseTrinoSql(
        "SELECT CAST(dt AS date), ARRAY[1, 2], element_at(genres, 1), cardinality(genres) FROM artists WHERE dt = ?",
      ),
    ).not.toThrow();
  });

  it("counts table reads with every CTE reference inlined, as Trino plans them", () => {
    // Prepare
    const sql = `WITH t AS (SELECT * FROM tracks WHERE dt = ?), u AS (SELECT a.* FROM t a JOIN t b ON a.track_id = b.track_id)
SELECT count(*) FROM u UNION ALL SELECT count(*) FROM t UNION ALL SELECT count(*) FROM (SELECT 1 FROM albums) x`;

    // Act
    const analysis = analyzeTrinoSql(sql);

    // Assess: u reads t twice, t once more, and albums once; an unreferenced CTE would read nothing.
    expect(analysis.tableReads).toEqual({ albums: 1, tracks: 3 });
    expect(analysis.totalReads).toBe(4);
    expect(analysis.aggregations).toBe(3);
  });

  it("does not count a CTE that is never referenced, nor a window function as an aggregation", () => {
    const analysis = analyzeTrinoSql(
      "WITH unused AS (SELECT * FROM albums) SELECT track_id, count(*) OVER (PARTITION BY album_id) FROM tracks",
    );

    expect(analysis.tableReads).toEqual({ tracks: 1 });
    expect(analysis.aggregations).toBe(0);
  });

  it.each([
    ["a SELECT list", "SELECT CAST(? AS varchar) AS dt FROM tracks", false],
    ["a CTE's SELECT list", "WITH p AS (SELECT ? AS dt) SELECT * FROM tracks t JOIN p ON t.dt = p.dt", false],
    ["a JOIN condition", "SELECT * FROM tracks t JOIN albums a ON a.album_id = t.album_id AND a.dt = ?", false],
    ["a WHERE clause", "SELECT * FROM tracks WHERE dt = ?", true],
    ["a subquery's WHERE clause", "SELECT * FROM (SELECT * FROM tracks WHERE dt = ?) t", true],
    ["a WHERE with a function", "SELECT * FROM albums WHERE release_date <= CAST(? AS date) LIMIT 5", true],
  ])("locates a ? in %s", (_name, sql, inWhere) => {
    // Act
    const analysis = analyzeTrinoSql(sql);

    // Assess
    expect(analysis.parameters).toEqual([expect.objectContaining({ inWhere })]);
    expect(athenaRefusals(sql).some((r) => r.startsWith("INVALID_PARAMETER_USAGE"))).toBe(!inWhere);
  });

  it("refuses a query whose inlined reads put it above Trino's stage limit", () => {
    // Prepare: one CTE with an aggregation, referenced 60 times.
    const sql = `WITH c AS (SELECT count(*) AS n FROM tracks WHERE dt = ?)\nSELECT n FROM c${"\nUNION ALL SELECT n FROM c".repeat(59)}`;

    // Act
    const refusals = athenaRefusals(sql);

    // Assess
    expect(analyzeTrinoSql(sql).estimatedStages).toBeGreaterThan(TRINO_MAX_STAGES);
    expect(refusals).toEqual([expect.stringMatching(/^QUERY_HAS_TOO_MANY_STAGES/)]);
    expect(athenaRefusals("SELECT count(*) FROM tracks WHERE dt = ?")).toEqual([]);
  });
});
