import { describe, expect, it } from "vitest";
import { assertSingleTrinoSelect } from "../../src/checks/trino-sql.ts";
import { QueryRefusedError } from "../../src/errors.ts";

describe("assertSingleTrinoSelect", () => {
  it.each([
    "SELECT 1",
    "SELECT 1;",
    "WITH t AS (SELECT * FROM tracks) SELECT count(*) FROM t",
    "SELECT * FROM tracks t JOIN albums a USING (album_id) WHERE dt = '2026-11-20' LIMIT 5",
    "SELECT 1 UNION ALL SELECT 2",
    "VALUES 1, 2",
  ])("accepts the query %j", (sql) => {
    expect(() => assertSingleTrinoSelect(sql)).not.toThrow();
  });

  it.each([
    ["SELECT 1; SELECT 2", "2 statements"],
    ["", "0 statements"],
    ["CREATE TABLE x AS SELECT 1", "CREATE TABLE AS SELECT (not a query)"],
    ["DROP TABLE tracks", "DROP TABLE (not a query)"],
    ["INSERT INTO tracks SELECT * FROM tracks", "INSERT INTO (not a query)"],
    ["DELETE FROM tracks", "DELETE (not a query)"],
    ["EXPLAIN SELECT 1", "EXPLAIN (not a query)"],
    ["SHOW TABLES", "SHOW TABLES (not a query)"],
    ["SET SESSION a = 1", "SET SESSION (not a query)"],
    [
      "WITH FUNCTION f(x integer) RETURNS integer RETURN x SELECT f(1)",
      "a query with an inline function (WITH FUNCTION)",
    ],
  ])("refuses %j: %s", (sql, found) => {
    // Act
    let error: unknown;
    try {
      assertSingleTrinoSelect(sql);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(QueryRefusedError);
    expect((error as QueryRefusedError).found).toBe(found);
  });

  it("refuses SQL the Trino grammar cannot parse, saying where", () => {
    expect(() => assertSingleTrinoSelect("SELEC 1")).toThrow(
      /got SQL that does not parse as Athena \(Trino\) SQL \(line 1:/,
    );
  });
});
