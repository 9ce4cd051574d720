import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/errors.ts";
import { capRows, DEFAULT_QUERY_LIMITS, readQueryLimits, truncationMessage } from "../src/query-limits.ts";

describe("query limits", () => {
  it("defaults to 30 s, 10,000 rows and 16 MiB", () => {
    expect(readQueryLimits({})).toEqual({ timeoutMs: 30_000, maxRows: 10_000, maxBytes: 16 * 1024 * 1024 });
  });

  it("reads each limit from its TUNELAKE_QUERY_* variable", () => {
    // Act
    const limits = readQueryLimits({
      TUNELAKE_QUERY_TIMEOUT_SECONDS: "2.5",
      TUNELAKE_QUERY_MAX_ROWS: "50",
      TUNELAKE_QUERY_MAX_BYTES: "1000",
    });

    // Assess
    expect(limits).toEqual({ timeoutMs: 2500, maxRows: 50, maxBytes: 1000 });
  });

  it.each([
    ["TUNELAKE_QUERY_TIMEOUT_SECONDS", "soon"],
    ["TUNELAKE_QUERY_MAX_ROWS", "0"],
    ["TUNELAKE_QUERY_MAX_BYTES", "-1"],
  ])("refuses %s=%s with a ConfigError naming the variable", (name, value) => {
    expect(() => readQueryLimits({ [name]: value })).toThrow(ConfigError);
    expect(() => readQueryLimits({ [name]: value })).toThrow(
      new RegExp(`^${name}="${value}" is not a positive number`),
    );
  });

  it.each([
    ["fewer rows than the cap", 3, { rows: 3, truncated: undefined }],
    ["exactly the cap", 5, { rows: 5, truncated: undefined }],
    ["one row more than the cap", 6, { rows: 5, truncated: "rows" }],
  ])("keeps %s", (_, count, expected) => {
    // Act
    const { rows, truncated } = capRows(
      Array.from({ length: count }, (_, i) => ({ i })),
      { ...DEFAULT_QUERY_LIMITS, maxRows: 5 },
    );

    // Assess
    expect(rows).toHaveLength(expected.rows);
    expect(truncated?.limit).toBe(expected.truncated);
  });

  it("stops at the byte cap before the row that would pass it", () => {
    // Act: each row is {"s":"xxxxxxxxxx"} = 16 bytes as JSON.
    const { rows, truncated } = capRows(
      Array.from({ length: 10 }, () => ({ s: "x".repeat(10) })),
      { ...DEFAULT_QUERY_LIMITS, maxBytes: 40 },
    );

    // Assess
    expect(rows).toHaveLength(2);
    expect(truncated).toEqual({ limit: "bytes", maxRows: 10_000, maxBytes: 40 });
    expect(truncationMessage(truncated as NonNullable<typeof truncated>, rows.length)).toBe(
      "Truncated: the query has more rows than the 2 shown (the limit is 40 bytes); aggregate, filter or add a LIMIT.",
    );
  });
});
