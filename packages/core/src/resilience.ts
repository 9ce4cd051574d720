/**
 * The one resilience toolkit: how tunelake retries, polls and sleeps. Every call site says what one attempt came to
 * (a {@link Verdict}, or a poll's answer) and these loops do the waiting, so backoff, deadlines and abort signals
 * behave the same everywhere. Sleeping is Node's own `timers/promises` (abortable).
 */
import { setTimeout as sleepFor } from "node:timers/promises";
import { InvariantError } from "./errors.ts";

/** Waits `ms`; resolves early, without error, when `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  await sleepFor(ms, undefined, signal ? { signal } : undefined).catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
}

/** What one attempt came to: a value, a retry after a wait, a retry with renewed credentials, or a final error. */
export type Verdict<T> =
  | { kind: "done"; value: T }
  | { kind: "retry"; afterMs: number }
  | { kind: "renew" }
  | { kind: "fail"; error: unknown };

/** The verdicts, by name: `return verdict.retryIn(500)`. */
export const verdict = {
  done: <T>(value: T): Verdict<T> => ({ kind: "done", value }),
  retryIn: (afterMs: number): Verdict<never> => ({ kind: "retry", afterMs: Math.max(0, afterMs) }),
  renew: { kind: "renew" } as Verdict<never>,
  fail: (error: unknown): Verdict<never> => ({ kind: "fail", error }),
};

export interface RetryOptions {
  /** Called on a `renew` verdict before the next attempt (e.g. fetch a new access token); may throw to stop. */
  renew?: () => Promise<void>;
  /** Called before every retry or renewal (e.g. to count it). */
  onRetry?: (verdict: Extract<Verdict<unknown>, { kind: "retry" | "renew" }>, attempt: number) => void;
  /** Stops waiting: the loop then ends with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` (0, 1, 2, ...) until its verdict is `done` or `fail`. The attempt itself classifies its outcome,
 * including when to give up, since only it knows which of its failures count against which limit.
 */
export async function retry<T>(attempt: (n: number) => Promise<Verdict<T>>, options: RetryOptions = {}): Promise<T> {
  for (let n = 0; ; n++) {
    options.signal?.throwIfAborted();
    const verdict = await attempt(n);
    switch (verdict.kind) {
      case "done":
        return verdict.value;
      case "fail":
        throw verdict.error;
      case "renew":
        options.onRetry?.(verdict, n);
        if (!options.renew) throw new InvariantError({ what: "a renew verdict needs RetryOptions.renew" });
        await options.renew();
        break;
      case "retry":
        options.onRetry?.(verdict, n);
        if (verdict.afterMs > 0) await sleep(verdict.afterMs, options.signal);
        break;
    }
  }
}

export interface PollOptions<T> {
  /** The wait before the next check, by how many checks came before it (a number: always the same). */
  intervalMs: number | ((checks: number) => number);
  /** Give up after this long; then `onTimeout` answers (default: wait as long as it takes). */
  timeoutMs?: number;
  /** What a poll that ran out of time comes to: a last answer, or a throw. */
  onTimeout?: () => T | Promise<T>;
  /**
   * Cuts the current wait short when it aborts, once: the next check runs at once, and later waits are whole again
   * (a caller that stops its subject on abort then polls on until the subject has stopped).
   */
  signal?: AbortSignal;
}

/**
 * Checks until `check` answers (anything but `undefined`), waiting between checks; past the deadline, `onTimeout`
 * answers instead. The check always runs at least once, and once more at the deadline's side of the last wait.
 */
export async function pollUntil<T>(
  check: (checks: number) => Promise<T | undefined>,
  options: PollOptions<T>,
): Promise<T> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  let woken = false;
  for (let checks = 0; ; checks++) {
    const answer = await check(checks);
    if (answer !== undefined) return answer;
    if (Date.now() > deadline) {
      if (!options.onTimeout) throw new InvariantError({ what: "pollUntil ran out of time and has no onTimeout" });
      return options.onTimeout();
    }
    const interval = typeof options.intervalMs === "number" ? options.intervalMs : options.intervalMs(checks);
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now()) + 1), woken ? undefined : options.signal);
    if (options.signal?.aborted) woken = true;
  }
}

/** A backoff for {@link pollUntil}: `first`, doubling up to `max`. */
export const doubling =
  (first: number, max: number) =>
  (checks: number): number =>
    Math.min(max, first * 2 ** Math.min(checks, 30));

/** Full jitter in the upper half of an exponential backoff: `base`·2^attempt capped at `max`, between half and all. */
export function jitteredBackoff(
  base: number,
  max: number,
  attempt: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return cap / 2 + random() * (cap / 2);
}

/**
 * Runs `work` over `items`, at most `limit` at a time, and resolves to the results in the order of `items` (the one
 * bounded map: the reprocess of a range of dates, locally and on a stage, goes through it).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
