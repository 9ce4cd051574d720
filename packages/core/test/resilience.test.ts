import { describe, expect, it } from "vitest";
import { doubling, jitteredBackoff, pollUntil, retry, sleep, verdict } from "../src/resilience.ts";

describe("retry", () => {
  it("runs attempts until one is done, waiting as each verdict says and counting every retry", async () => {
    const seen: number[] = [];
    const retries: string[] = [];
    const value = await retry(
      async (n) => {
        seen.push(n);
        return n < 2 ? verdict.retryIn(1) : verdict.done(`after ${n}`);
      },
      { onRetry: (v) => retries.push(v.kind) },
    );
    expect(value).toBe("after 2");
    expect(seen).toEqual([0, 1, 2]);
    expect(retries).toEqual(["retry", "retry"]);
  });

  it("renews before the next attempt on a renew verdict", async () => {
    let token = "old";
    const value = await retry(async () => (token === "old" ? verdict.renew : verdict.done(token)), {
      renew: async () => {
        token = "new";
      },
    });
    expect(value).toBe("new");
  });

  it("throws a fail verdict's error as it is, and a renew verdict without renew is a programming error", async () => {
    const error = new RangeError("final");
    await expect(retry(async () => verdict.fail(error))).rejects.toBe(error);
    await expect(retry(async () => verdict.renew)).rejects.toThrow(/needs RetryOptions.renew/);
  });

  it("stops before the next attempt once the signal aborts", async () => {
    const controller = new AbortController();
    let attempts = 0;
    const run = retry(
      async () => {
        attempts++;
        controller.abort(new Error("stopped by the user"));
        return verdict.retryIn(60_000);
      },
      { signal: controller.signal },
    );
    await expect(run).rejects.toThrow("stopped by the user");
    expect(attempts).toBe(1);
  });
});

describe("pollUntil", () => {
  it("answers with the first defined answer, waiting by the interval function between checks", async () => {
    const intervals: number[] = [];
    const answer = await pollUntil(async (checks) => (checks === 3 ? "ready" : undefined), {
      intervalMs: (checks) => {
        intervals.push(checks);
        return 1;
      },
    });
    expect(answer).toBe("ready");
    expect(intervals).toEqual([0, 1, 2]);
  });

  it("lets onTimeout answer, or throw, once the deadline has passed", async () => {
    let checks = 0;
    const last = await pollUntil(
      async () => {
        checks++;
        return undefined;
      },
      { intervalMs: 5, timeoutMs: 30, onTimeout: () => "gave up" },
    );
    expect(last).toBe("gave up");
    expect(checks).toBeGreaterThan(1);
    await expect(
      pollUntil(async () => undefined, {
        intervalMs: 5,
        timeoutMs: 10,
        onTimeout: () => {
          throw new Error("too slow");
        },
      }),
    ).rejects.toThrow("too slow");
  });

  it("cuts one wait short when the signal aborts, then waits whole intervals again", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const at: number[] = [];
    const answer = await pollUntil(
      async (checks) => {
        at.push(Date.now() - started);
        if (checks === 0) setTimeout(() => controller.abort(), 20);
        return checks === 2 ? "stopped" : undefined;
      },
      { intervalMs: 300, signal: controller.signal },
    );
    expect(answer).toBe("stopped");
    // The first wait ended at the abort (about 20 ms), the second was whole (300 ms).
    expect(at[1]).toBeLessThan(250);
    expect((at[2] ?? 0) - (at[1] ?? 0)).toBeGreaterThanOrEqual(290);
  });
});

describe("backoffs and sleep", () => {
  it("doubles up to a ceiling, and jitters within the upper half of the capped exponential", () => {
    expect([0, 1, 2, 3, 4].map(doubling(250, 2000))).toEqual([250, 500, 1000, 2000, 2000]);
    expect(jitteredBackoff(500, 30_000, 3, () => 0)).toBe(2000);
    expect(jitteredBackoff(500, 30_000, 3, () => 1)).toBe(4000);
    expect(jitteredBackoff(500, 30_000, 20, () => 1)).toBe(30_000);
  });

  it("sleeps, and an aborted signal ends the sleep early without an error", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 10);
    await sleep(5_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
