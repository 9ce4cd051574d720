/**
 * What a reprocess of a range of dates does in either backend: each date is one `reprocess` execution, at most
 * `concurrency` at a time (through the toolkit's bounded map), each outcome passed on as soon as it is known. The
 * backend says how one date runs; a date whose raw data is missing is refused by {@link assertRawData}.
 */
import { NoRawDataError } from "../errors.ts";
import { manifestKey } from "../lake.ts";
import type { ExecutionDetails, ObjectStore, ReprocessOptions, ReprocessOutcome } from "../ports.ts";
import { mapBounded } from "../resilience.ts";

/** Refuses a date never extracted (no run manifest in `raw`) before an execution takes the date's name. */
export async function assertRawData(raw: ObjectStore, date: string, location: string): Promise<void> {
  if ((await raw.list(manifestKey(date))).length > 0) return;
  throw new NoRawDataError({ date, location, manifest: manifestKey(date) });
}

/** How one backend reprocesses one date. */
export interface ReprocessStep {
  /** Why the date is skipped before anything starts, or undefined to run it. */
  skip?: (date: string) => Promise<string | undefined>;
  /** Runs (or starts) the date's reprocess execution; `moreToStart` says whether later dates still wait for a slot. */
  run: (date: string, moreToStart: () => boolean) => Promise<ExecutionDetails>;
}

/** Reprocesses `dates` with `step`, at most `options.concurrency` at a time, outcomes in the order of `dates`. */
export async function reprocessDates(
  dates: readonly string[],
  options: ReprocessOptions,
  step: ReprocessStep,
): Promise<ReprocessOutcome[]> {
  // Dates are taken in order: once date `index` is taken, every earlier one is too.
  let taken = 0;
  const moreToStart = () => taken < dates.length && !options.signal?.aborted;
  return mapBounded(dates, options.concurrency, async (date, index) => {
    taken = Math.max(taken, index + 1);
    const skipped = options.signal?.aborted ? "not started: stopped" : await step.skip?.(date);
    const outcome: ReprocessOutcome = skipped
      ? { date, skipped }
      : { date, execution: await step.run(date, moreToStart) };
    options.onOutcome?.(index, outcome);
    return outcome;
  });
}
