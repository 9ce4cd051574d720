import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { createProgress } from "../src/progress.ts";

const T0 = Date.parse("2026-11-21T06:00:00.000Z");
const at = (ms: number) => new Date(T0 + ms).toISOString();
const entered = (name: string, ms: number, input: unknown = {}) => ({
  type: "TaskStateEntered",
  timestamp: at(ms),
  stateEnteredEventDetails: { name, input: JSON.stringify(input) },
});
const exited = (name: string, ms: number, output: unknown = {}) => ({
  type: "TaskStateExited",
  timestamp: at(ms),
  stateExitedEventDetails: { name, output: JSON.stringify(output) },
});

function linesOf(events: readonly unknown[]): string[] {
  const lines: string[] = [];
  const progress = createProgress((line) => lines.push(stripVTControlCharacters(line).trimEnd()));
  // All delivered at once, as after the event loop was blocked: the times must come from the events.
  for (const event of events) progress(event);
  return lines;
}

describe("run progress lines", () => {
  it("times a stage from its events, not from when the callback ran", () => {
    expect(linesOf([entered("Validate", 0), exited("Validate", 2600)])).toEqual(["▸ Validate", "✓ Validate 2.6s"]);
  });

  it("says which Extract slice a line is, and that a slice that stopped early has more to come", () => {
    // Act
    const lines = linesOf([
      entered("Extract", 0),
      exited("Extract", 1000, { extract: { done: false } }),
      entered("Extract", 1500),
      exited("Extract", 2000, { extract: { done: true } }),
    ]);

    // Assess
    expect(lines).toEqual([
      "▸ Extract",
      "✓ Extract (slice 1, more to come) 1.0s",
      "▸ Extract (slice 2)",
      "✓ Extract (slice 2) 0.5s",
    ]);
  });

  it("leaves a one-slice Extract as it is", () => {
    expect(linesOf([entered("Extract", 0), exited("Extract", 300, { extract: { done: true } })])).toEqual([
      "▸ Extract",
      "✓ Extract 0.3s",
    ]);
  });
});
