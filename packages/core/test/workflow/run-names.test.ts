import { describe, expect, it } from "vitest";
import { MAX_RUNS_PER_DATE, nextRunName, runDateOfName, runName } from "../../src/workflow/run-names.ts";

describe("run names", () => {
  it.each([
    [[], "2026-11-20"],
    [["2026-11-19"], "2026-11-20"],
    [["2026-11-20"], "2026-11-20-2"],
    [["2026-11-20", "2026-11-20-2"], "2026-11-20-3"],
    [["2026-11-20", "2026-11-20-3"], "2026-11-20-2"],
  ])("after %j the next run of 2026-11-20 is %s", (taken, expected) => {
    expect(nextRunName("2026-11-20", taken)).toBe(expected);
  });

  it("gives up when every name of the date is taken", () => {
    const taken = Array.from({ length: MAX_RUNS_PER_DATE }, (_, i) => runName("2026-11-20", i + 1));

    expect(nextRunName("2026-11-20", taken)).toBeUndefined();
  });

  it.each([
    ["2026-11-20", "2026-11-20"],
    ["2026-11-20-2", "2026-11-20"],
    ["2026-11-20-17", "2026-11-20"],
    ["2026-11-20-1", undefined],
    ["2026-11-20-0", undefined],
    ["6f1c2f54-3b1e-4a55-9d4e-0c7d1f6a9b21", undefined],
    ["latest", undefined],
  ])("the run date of %s is %s", (name, date) => {
    expect(runDateOfName(name)).toBe(date);
  });

  it("reads back the date of every name it makes", () => {
    for (const n of [1, 2, 10, 999]) expect(runDateOfName(runName("2026-01-31", n))).toBe("2026-01-31");
  });
});
