import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { printSummary, summarizeEvents } from "../../src/commands/summary.ts";

const printed = (record: Parameters<typeof summarizeEvents>[0]): string => {
  let text = "";
  printSummary(summarizeEvents(record, []), (t) => (text += t));
  return stripVTControlCharacters(text);
};

describe("what a run's summary says about injected faults", () => {
  it("says so when a run with an injected fault succeeded", () => {
    const text = printed({ name: "2026-11-21", status: "SUCCEEDED", date: "2026-11-21", faults: ["crawler-running"] });
    expect(text).toContain("injected: crawler-running (--inject-fault); this run got past it");
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^SUCCEEDED {2}execution 2026-11-21/);
  });

  it("says nothing of faults for a plain run, nor for the redrive of a run that had one", () => {
    expect(printed({ name: "2026-11-21", status: "SUCCEEDED", date: "2026-11-21", faults: [] })).not.toContain(
      "injected",
    );
    expect(
      printed({
        name: "2026-11-21",
        status: "SUCCEEDED",
        date: "2026-11-21",
        faults: ["crawler-failed"],
        redriveCount: 1,
      }),
    ).not.toContain("injected");
  });
});
