import type { ExecutionDetails, StartRunInput } from "@tunelake/core/ports";
import { describe, expect, it } from "vitest";
import { startBounded } from "../../src/commands/reprocess.ts";

/** A stage's Runs where each started execution stays RUNNING for `polls` DescribeExecution calls. */
function fakeStage(polls: number) {
  const describes = new Map<string, number>();
  let running = 0;
  let peak = 0;
  const details = (name: string, status: ExecutionDetails["status"]): ExecutionDetails => ({
    name,
    executionArn: `arn:${name}`,
    stateMachineArn: "arn:machine",
    status,
    date: name,
    startDate: "2026-12-01T00:00:00.000Z",
    redriveCount: 0,
    input: { date: name, mode: "reprocess" },
  });
  return {
    get peak() {
      return peak;
    },
    start: async (input: StartRunInput) => {
      running++;
      peak = Math.max(peak, running);
      describes.set(input.date as string, 0);
      return details(input.date as string, "RUNNING");
    },
    describe: async (name: string) => {
      const seen = (describes.get(name) ?? 0) + 1;
      describes.set(name, seen);
      if (seen === polls) running--;
      return details(name, seen >= polls ? "SUCCEEDED" : "RUNNING");
    },
  };
}

describe("reprocess --stage", () => {
  it("keeps at most --concurrency executions running, starting each date once, in order", async () => {
    const stage = fakeStage(2);
    const dates = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"];

    const started = await startBounded(stage, dates, 2, { pollMs: 1 });

    expect(started.map((e) => e.name)).toEqual(dates);
    expect(started.every((e) => (e.input as { mode: string }).mode === "reprocess")).toBe(true);
    expect(stage.peak).toBe(2);
  });

  it("starts every date at once when they fit in --concurrency, without waiting", async () => {
    const stage = fakeStage(1_000);

    const started = await startBounded(stage, ["2026-11-01", "2026-11-02"], 2, { pollMs: 1 });

    expect(started).toHaveLength(2);
    expect(stage.peak).toBe(2);
  });

  it("starts nothing more once stopped", async () => {
    const stage = fakeStage(1_000);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);

    const started = await startBounded(stage, ["2026-11-01", "2026-11-02", "2026-11-03"], 1, {
      pollMs: 5,
      signal: stop.signal,
    });

    expect(started.map((e) => e.name)).toEqual(["2026-11-01"]);
  });
});
