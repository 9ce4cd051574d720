import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { orderedPrinter } from "../../src/commands/reprocess.ts";

const skipped = (date: string) => ({ date, skipped: `no raw data: extract it with tunelake run --date ${date}` });

describe("reprocess output order", () => {
  it("prints dates in date order whatever order they finish in, a run of skipped dates as one line", () => {
    // Prepare
    const lines: string[] = [];
    const print = orderedPrinter(4, (line) => lines.push(stripVTControlCharacters(line)));

    // Act: the last dates finish first.
    print(3, skipped("2026-01-04"));
    print(2, skipped("2026-01-03"));
    const beforeFirst = [...lines];
    print(0, skipped("2026-01-01"));
    print(1, skipped("2026-01-02"));

    // Assess
    expect(beforeFirst).toEqual([]);
    expect(lines).toEqual([
      "2026-01-01..2026-01-04 (4 dates)  SKIPPED  no raw data: extract it with tunelake run --date D",
    ]);
  });
});
