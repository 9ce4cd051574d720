import type { ExecutionDetails, ReprocessOutcome } from "@tunelake/core/ports";
import { pollUntil } from "@tunelake/core/resilience";
import { reprocessDates } from "@tunelake/core/workflow/reprocess";
import { describe, expect, it } from "vitest";

/**
 * A backend's reprocess step where each started execution stays RUNNING for `polls` looks and holds its slot while
 * later dates wait for one, as a stage's does; it counts the executions running at once.
 */
function fakeStage(polls: number, pollMs = 1) {
  let running = 0;
  let peak = 0;
  const details = (date: string): ExecutionDetails => ({
    name: date,
    executionArn: `arn:${date}`,
    stateMachineArn: "arn:machine",
    status: "RUNNING",
    date,
    startDate: "2026-12-01T00:00:00.000Z",
    redriveCount: 0,
    input: { date, mode: "reprocess" },
  });
  return {
    get peak() {
      return peak;
    },
    run: async (date: string, moreToStart: () => boolean) => {
      running++;
      peak = Math.max(peak, running);
      await pollUntil(async (checks) => (!moreToStart() || checks >= polls ? true : undefined), {
        intervalMs: pollMs,
      });
      if (moreToStart()) running--;
      return details(date);
    },
  };
}

describe("reprocessDates", () => {
  it("keeps at most `concurrency` executions running, starting each date once, in order", async () => {
    const stage = fakeStage(2);
    const dates = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"];

    const outcomes = await reprocessDates(dates, { concurrency: 2 }, stage);

    expect(outcomes.map((o) => ("execution" in o ? o.execution.name : o.skipped))).toEqual(dates);
    expect(stage.peak).toBe(2);
  });

  it("does not wait for the last executions once every date has started", async () => {
    const stage = fakeStage(1_000_000, 60_000);

    const outcomes = await reprocessDates(["2026-11-01", "2026-11-02"], { concurrency: 2 }, stage);

    expect(outcomes).toHaveLength(2);
    expect(stage.peak).toBe(2);
  });

  it("skips what the backend skips, passes each outcome on once, and starts nothing more once stopped", async () => {
    const stop = new AbortController();
    const seen: [number, ReprocessOutcome][] = [];
    const dates = ["2026-11-01", "2026-11-02", "2026-11-03"];

    const outcomes = await reprocessDates(
      dates,
      { concurrency: 1, signal: stop.signal, onOutcome: (index, outcome) => seen.push([index, outcome]) },
      {
        skip: async (date) => (date === "2026-11-01" ? "no raw data" : undefined),
        run: async (date) => {
          stop.abort();
          return fakeStage(0).run(date, () => false);
        },
      },
    );

    expect(outcomes).toEqual([
      { date: "2026-11-01", skipped: "no raw data" },
      expect.objectContaining({ date: "2026-11-02", execution: expect.objectContaining({ name: "2026-11-02" }) }),
      { date: "2026-11-03", skipped: "not started: stopped" },
    ]);
    expect(seen.map(([index]) => index)).toEqual([0, 1, 2]);
  });
});
