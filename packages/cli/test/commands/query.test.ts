import { afterEach, describe, expect, it, vi } from "vitest";
import { printRows, printTruncation, queryLimitsFor } from "../../src/commands/query.ts";
import { UsageError } from "../../src/errors.ts";

const captured = () => {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { out, err };
};

describe("tunelake query output and limits", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("takes --timeout and --max-rows over the TUNELAKE_QUERY_* variables", () => {
    // Prepare
    vi.stubEnv("TUNELAKE_QUERY_MAX_ROWS", "7");
    vi.stubEnv("TUNELAKE_QUERY_MAX_BYTES", "900");

    // Act
    const limits = queryLimitsFor({ timeout: "1.5", maxRows: "3" });

    // Assess
    expect(limits).toEqual({ timeoutMs: 1500, maxRows: 3, maxBytes: 900 });
  });

  it.each([
    [{ timeout: "0" }, /--timeout must be a positive number, got "0"/],
    [{ maxRows: "lots" }, /--max-rows must be a positive number, got "lots"/],
  ])("refuses %j as a usage error", (opts, message) => {
    expect(() => queryLimitsFor(opts)).toThrow(UsageError);
    expect(() => queryLimitsFor(opts)).toThrow(message);
  });

  it("prints a truncated result's table, then says it was truncated", () => {
    // Prepare
    const { out, err } = captured();
    const result = {
      columns: [{ name: "name", type: "VARCHAR" }],
      rows: [{ name: "Sample \u001b[2J" }],
      truncated: { limit: "rows" as const, maxRows: 1, maxBytes: 100 },
    };

    // Act
    printRows({ home: "", json: false }, result.rows, ["name"]);
    printTruncation({ home: "", json: false }, result);

    // Assess
    const text = out.join("");
    expect(text).not.toContain("\u001b");
    expect(text).toMatch(/Sample \\u001b\[2J/);
    expect(text).toMatch(/\(1 row\)\nTruncated: the query has more rows than the 1 shown \(the limit is 1 rows\)/);
    expect(err).toEqual([]);
  });

  it("keeps --json's stdout an array of rows and says truncated on stderr", () => {
    // Prepare
    const { out, err } = captured();
    const result = {
      columns: [{ name: "n", type: "BIGINT" }],
      rows: [{ n: 1 }],
      truncated: { limit: "bytes" as const, maxRows: 10, maxBytes: 8 },
    };

    // Act
    printRows({ home: "", json: true }, result.rows);
    printTruncation({ home: "", json: true }, result);

    // Assess
    expect(JSON.parse(out.join(""))).toEqual([{ n: 1 }]);
    expect(JSON.parse(err.join(""))).toMatchObject({ truncated: { limit: "bytes", maxBytes: 8 } });
  });
});
