/** The benchmark's errors: a run that cannot be measured, or a measurement that cannot be trusted. */
import { type Reasons, reasonedError } from "../packages/core/src/errors.ts";

/** Why a benchmark stopped, each with the message it builds. */
export const BENCH_REASONS = {
  /** A flag that must be an integer of at least `min`. */
  badFlag: (f: { flag: string; value: unknown; min: number }) =>
    `--${f.flag} must be ${f.min === 1 ? "a positive integer" : `an integer of at least ${f.min}`}, not ${f.value}.`,
  /** A helper script called without its arguments. */
  usage: (f: { usage: string }) => `usage: ${f.usage}`,
  /** A child process the benchmark forked ended before it answered. */
  childEnded: (f: { child: string; how?: string; before: string }) =>
    `the ${f.child} process ended${f.how ? ` (${f.how})` : ""} before it ${f.before}: run the benchmark again, and read its stderr above.`,
  /** A command the benchmark times failed. */
  commandFailed: (f: { command: string; problem: string }) => `${f.command} failed: ${f.problem}`,
  /** Two sides that must produce the same rows did not: the timings compare different work. */
  sidesDisagree: (f: { table: string; ours: unknown; baseline: unknown }) =>
    `Benchmark sides disagree: ${f.ours} vs ${f.baseline} ${f.table} rows.`,
  /** The read side loaded fewer rows than were written. */
  readShort: (f: { loaded: unknown; written: number }) =>
    `The read side loaded ${f.loaded} of ${f.written} playlist entries.`,
} satisfies Reasons;

/** A benchmark cannot run as asked, or its sides did not do the same work. */
export class BenchError extends reasonedError(BENCH_REASONS) {}
