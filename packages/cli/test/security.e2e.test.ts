/**
 * `tunelake query` under attack (issue 23), through the real binary: a statement that is not one SELECT exits 2
 * naming the rule, control characters from the data never reach the terminal, and a huge result is cut and says so
 * (on stdout, or on stderr with --json so that stdout stays an array of rows).
 */
import { afterAll, describe, expect, it } from "vitest";
import { tunelake } from "./helpers.ts";
import { tempHomes } from "./reliability/harness.ts";

describe("tunelake query, read-only", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(async () => {
    await cleanupAll();
  });

  it.each([
    ["a COPY to a file", "COPY (SELECT 1) TO '/tmp/tunelake-stolen.csv'", /QueryRefusedError: .*got COPY/],
    ["an ATTACH", "ATTACH '/tmp/tunelake-attached.duckdb'", /QueryRefusedError: .*got ATTACH/],
    ["two statements", "SELECT 1; SELECT 2", /QueryRefusedError: .*got 2 statements/],
    [
      "a read of /etc/passwd",
      "SELECT * FROM read_csv('/etc/passwd', sep = ':')",
      /QueryRefusedError: Refused: a query reads the curated tables only .*got Cannot access file "\/etc\/passwd"/,
    ],
  ])("exits 2 on %s, naming the rule", async (_, sql, message) => {
    // Act
    const result = await tunelake(["--home", await newHome("refused"), "query", sql]);

    // Assess
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).not.toMatch(/root:/);
  });

  it("prints a value carrying ESC sequences as escapes", async () => {
    // Act
    const simple = await tunelake([
      "--home",
      await newHome("escape"),
      "query",
      "SELECT 'Sample ' || chr(27) || '[2J' AS name",
    ]);

    // Assess
    expect(simple.code, simple.stderr).toBe(0);
    expect(simple.stdout).not.toContain("\u001b");
    expect(simple.stdout).toContain("Sample \\u001b[2J");
  });

  it("cuts a huge result at the row cap and says so, on stdout or (--json) on stderr", async () => {
    // Prepare
    const home = await newHome("cap");
    const env = { TUNELAKE_QUERY_MAX_ROWS: "5" };

    // Act
    const text = await tunelake(["--home", home, "query", "SELECT * FROM range(100000000)"], env);
    const json = await tunelake(["--home", home, "query", "SELECT * FROM range(100000000)", "--json"], env);

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\(5 rows\)\nTruncated: .*the limit is 5 rows/);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toHaveLength(5);
    expect(JSON.parse(json.stderr)).toMatchObject({ truncated: { limit: "rows", maxRows: 5 } });
  });

  it("exits 2 on a query limit that is not a positive number", async () => {
    // Act
    const result = await tunelake(["--home", await newHome("limit"), "query", "SELECT 1"], {
      TUNELAKE_QUERY_TIMEOUT_SECONDS: "soon",
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ConfigError: TUNELAKE_QUERY_TIMEOUT_SECONDS="soon" is not a positive number/);
  });
});
