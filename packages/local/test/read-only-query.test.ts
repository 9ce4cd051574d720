/**
 * The local query path under attack (issue 23): SQL that tries to read or write files, attach databases, install
 * extensions, undo the lockdown, replace a table's view, block on a FIFO or return a huge result. Each is refused
 * (or cut) with a clear error, and the engine answers the next query as before.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryRefusedError, QueryTimeoutError } from "@tunelake/core/errors";
import type { QueryEngine } from "@tunelake/core/ports";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crawlCuratedZone } from "../src/catalog.ts";
import { localPaths } from "../src/paths.ts";
import { createLocalQueryEngine } from "../src/query-engine.ts";
import { writeCuratedFixture } from "./lake-fixture.ts";

const DATE = "2026-11-20";
const hasMkfifo = existsSync("/usr/bin/mkfifo");

describe("the local query engine under attack", () => {
  let home: string;
  let outside: string;
  let engine: QueryEngine;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "tunelake-security-"));
    outside = await mkdtemp(join(tmpdir(), "tunelake-outside-"));
    await writeCuratedFixture(home, DATE);
    await crawlCuratedZone(home);
    engine = createLocalQueryEngine(home, { limits: { timeoutMs: 1500, maxRows: 1000, maxBytes: 64 * 1024 } });
  });

  afterAll(async () => {
    await engine?.close();
    await rm(home, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  /** The engine still answers: the tracks view reads its three rows. */
  const stillWorks = async () => {
    const result = await engine.query("SELECT count(*) AS n FROM tracks");
    expect(result.rows).toEqual([{ n: 3 }]);
  };

  it.each([
    [
      "a COPY into the curated zone",
      () => `COPY (SELECT 1) TO '${join(localPaths(home).curated, "x.csv")}'`,
      /got COPY \(not a query\)/,
    ],
    ["a COPY out of the lake", () => `COPY tracks TO '${join(outside, "tracks.csv")}'`, /got COPY/],
    ["an ATTACH", () => `ATTACH '${join(outside, "x.duckdb")}' AS x`, /got ATTACH/],
    ["an INSTALL from a URL", () => "INSTALL httpfs FROM 'http://127.0.0.1:1/'", /got INSTALL/],
    ["a LOAD", () => "LOAD httpfs", /got LOAD/],
    ["a SET that undoes the lockdown", () => "SET enable_external_access = true", /got SET/],
    ["a PRAGMA (DuckDB prepares it as a SELECT)", () => "PRAGMA enable_profiling", /got PRAGMA/],
    ["a CREATE VIEW replacing a table's view", () => "CREATE OR REPLACE VIEW tracks AS SELECT 1 AS x", /got CREATE/],
    ["two statements", () => "SELECT 1; DROP VIEW tracks", /got 2 statements/],
    ["a SELECT then a SET", () => "SELECT 1; SET lock_configuration = false", /got 2 statements/],
    ["an EXPLAIN ANALYZE", () => "EXPLAIN ANALYZE SELECT 1", /got EXPLAIN/],
    ["SQL DuckDB cannot parse", () => "SELEC 1", /cannot parse/],
  ])("refuses %s before running it", async (_, sql, message) => {
    // Act
    const refused = engine.query(sql());

    // Assess
    await expect(refused).rejects.toBeInstanceOf(QueryRefusedError);
    await expect(engine.query(sql())).rejects.toThrow(message);
    expect(existsSync(join(localPaths(home).curated, "x.csv"))).toBe(false);
    expect(existsSync(join(outside, "tracks.csv"))).toBe(false);
    expect(existsSync(join(outside, "x.duckdb"))).toBe(false);
    await stillWorks();
  });

  it.each([
    ["/etc/passwd with read_csv", "SELECT * FROM read_csv('/etc/passwd', sep = ':')"],
    ["/etc/passwd with read_text", "SELECT * FROM read_text('/etc/passwd')"],
    ["/etc/passwd with sniff_csv", "SELECT * FROM sniff_csv('/etc/passwd')"],
    ["a listing of /etc", "SELECT * FROM glob('/etc/*')"],
    ["a path that climbs out of the curated zone", "SELECT * FROM read_text('CURATED/../../../../etc/passwd')"],
  ])("refuses a SELECT that reads %s", async (_, sql) => {
    // Act
    const read = engine.query(sql.replace("CURATED", localPaths(home).curated));

    // Assess
    await expect(read).rejects.toBeInstanceOf(QueryRefusedError);
    await expect(engine.query(sql.replace("CURATED", localPaths(home).curated))).rejects.toThrow(
      /^Refused: a query (reads the curated tables only|must be exactly one SELECT)/,
    );
    await stillWorks();
  });

  it("leaves a table function that runs SQL text to DuckDB, which runs only a SELECT there", async () => {
    // Act
    const hidden = engine.query("SELECT * FROM query('CREATE OR REPLACE VIEW tracks AS SELECT 1 AS x')");

    // Assess
    await expect(hidden).rejects.toThrow(/Expected a single SELECT statement/);
    await stillWorks();
  });

  it("keeps the lockdown settings locked (a SELECT can read them, nothing can change them)", async () => {
    // Act
    const result = await engine.query(
      "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration', 'autoinstall_known_extensions', 'autoload_known_extensions') ORDER BY name",
    );

    // Assess
    expect(result.rows).toEqual([
      { name: "autoinstall_known_extensions", value: "false" },
      { name: "autoload_known_extensions", value: "false" },
      { name: "enable_external_access", value: "false" },
      { name: "lock_configuration", value: "true" },
    ]);
  });

  it("still answers the SELECTs a user runs: joins, WITH, DuckDB's FROM-first, DESCRIBE", async () => {
    // Act
    const joined = await engine.query(
      "WITH t AS (SELECT * FROM tracks) SELECT a.name, count(*) AS n FROM t JOIN albums a USING (album_id, dt) GROUP BY 1 ORDER BY 1",
    );
    const fromFirst = await engine.query("FROM artists SELECT artist_id ORDER BY 1");
    const described = await engine.query("DESCRIBE tracks");

    // Assess
    expect(joined.rows).toEqual([
      { name: "Album One", n: 2 },
      { name: "Album Two", n: 1 },
    ]);
    expect(fromFirst.rows).toEqual([{ artist_id: "ar1" }, { artist_id: "ar2" }]);
    expect(described.rows.map((r) => r.column_name)).toContain("track_id");
  });

  it("caps a huge result at the row limit and says it was truncated", async () => {
    // Act
    const started = Date.now();
    const result = await engine.query("SELECT * FROM range(100000000)");

    // Assess
    expect(result.rows).toHaveLength(1000);
    expect(result.truncated).toEqual({ limit: "rows", maxRows: 1000, maxBytes: 64 * 1024 });
    expect(Date.now() - started).toBeLessThan(5000);
    await stillWorks();
  });

  it("caps wide rows at the byte limit and says it was truncated", async () => {
    // Act
    const result = await engine.query("SELECT repeat('x', 10000) AS wide FROM range(100)");

    // Assess
    expect(result.rows.length).toBeLessThan(10);
    expect(result.truncated?.limit).toBe("bytes");
    await stillWorks();
  });

  it("does not say truncated when the result fits exactly", async () => {
    // Act
    const result = await engine.query("SELECT * FROM range(1000)");

    // Assess
    expect(result.rows).toHaveLength(1000);
    expect(result.truncated).toBeUndefined();
  });

  it("interrupts a query that runs past the time limit, and answers the next one", async () => {
    // Act
    const started = Date.now();
    const slow = engine.query("SELECT count(*) FROM range(1000000000000)");

    // Assess
    await expect(slow).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(Date.now() - started).toBeLessThan(1500 + 2500);
    await stillWorks();
  });

  describe.skipIf(!hasMkfifo)("a FIFO (mkfifo)", () => {
    it("refuses to read a FIFO outside the curated zone, and answers the next query", async () => {
      // Prepare
      const fifo = join(outside, "fifo");
      execFileSync("mkfifo", [fifo]);

      // Act
      const read = engine.query(`SELECT * FROM read_text('${fifo}')`);

      // Assess
      await expect(read).rejects.toThrow(/^Refused: a query reads the curated tables only .*Cannot access file .*fifo/);
      await stillWorks();
    });
  });

  it("gives every query its own connection: a query sees no state left by another", async () => {
    // Prepare: the refusals above never reached DuckDB's catalog; a temp object is a write, so it cannot be made.
    await expect(engine.query("CREATE TEMP TABLE leak AS SELECT 1")).rejects.toBeInstanceOf(QueryRefusedError);

    // Act
    const views = await engine.query(
      "SELECT count(*) AS n FROM duckdb_views() WHERE NOT internal AND view_name = 'tracks' AND sql LIKE '%read_parquet%'",
    );
    const tables = await engine.query("SELECT count(*) AS n FROM duckdb_tables()");

    // Assess
    expect(views.rows).toEqual([{ n: 1 }]);
    expect(tables.rows).toEqual([{ n: 0 }]);
  });
});

if (!hasMkfifo) console.warn("mkfifo is not available: the FIFO attack tests are skipped.");
