/** The CLI's own errors: a command used wrongly (not configuration, not the pipeline). */
import { type Reasons, reasonedError } from "@tunelake/core/errors";

/** Why a command cannot take its flags or arguments as given, each with the message it builds. */
export const USAGE_REASONS = {
  /** A flag that must be a positive number. */
  notPositive: (f: { flag: string; value: string }) => `${f.flag} must be a positive number, got "${f.value}".`,
  /** A flag that must be an integer in a range. */
  outOfRange: (f: { flag: string; value: string; min: number; max: number }) =>
    `${f.flag} must be ${f.min}-${f.max}, got "${f.value}".`,
  /** `tunelake query` without SQL. */
  emptySql: () => 'The SQL is empty: give a query, e.g. tunelake query "SELECT count(*) FROM tracks".',
  /** A date range given backwards. */
  datesReversed: (f: { from: string; to: string }) =>
    `--to ${f.to} is before --from ${f.from}: give the earlier date first.`,
  /** A date range longer than one command takes. */
  tooManyDates: (f: { from: string; to: string; max: number }) =>
    `${f.from}..${f.to} is more than ${f.max} dates: reprocess it in parts.`,
  /** Faults are injected into the local engine only. */
  faultOnStage: () => "--inject-fault runs locally only; drop --stage.",
} satisfies Reasons;

/** A flag or argument the command cannot take as given (an empty SQL, a fault with --stage): exit 2. */
export class UsageError extends reasonedError(USAGE_REASONS) {
  static override readonly badInput = true;
}
