/**
 * `tunelake reprocess --from D1 --to D2`: rebuilds the curated tables of a range of dates from the raw zone (after a
 * transform change), one execution per date in `reprocess` mode (Extract is skipped), a few dates at a time, through
 * `runs.reprocess` in either backend. Locally each date runs to its end, named `<date>-reprocess` (then `-2`...), so
 * it never takes a daily run's name; on a stage each date is started once a slot is free.
 */
import { assertRunDate } from "@tunelake/core/lake";
import type { ExecutionDetails, ReprocessOutcome } from "@tunelake/core/ports";
import pc from "picocolors";
import type { Backend } from "../backend.ts";
import { EXIT_CODES, type GlobalOptions, printJson, setExitCode, stdout, whileStoppable } from "../context.ts";
import { UsageError } from "../errors.ts";
import { type RunSummary, summarize } from "./summary.ts";

/** The most dates one command rebuilds: a year, so that a typo in a year does not start thousands of runs. */
export const MAX_REPROCESS_DATES = 366;

export interface ReprocessOptions {
  from: string;
  to: string;
  concurrency: string;
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const start = assertRunDate(from);
  const end = assertRunDate(to);
  if (end < start) throw new UsageError({ reason: "datesReversed", from: start, to: end });
  const dates: string[] = [];
  for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) <= end; d.setUTCDate(d.getUTCDate() + 1)) {
    dates.push(d.toISOString().slice(0, 10));
    if (dates.length > MAX_REPROCESS_DATES) {
      throw new UsageError({ reason: "tooManyDates", from: start, to: end, max: MAX_REPROCESS_DATES });
    }
  }
  return dates;
}

/** A date skipped, the summary of its ended execution, or its execution still running (on a stage). */
type DateOutcome = { date: string; skipped: string } | RunSummary | ExecutionDetails;

/**
 * Prints the outcomes in date order as soon as every earlier date is done (dates finish out of order), with a run of
 * consecutive dates skipped for the same reason as one line.
 */
export function orderedPrinter(count: number, write: (line: string) => void): (index: number, o: DateOutcome) => void {
  const done: (DateOutcome | undefined)[] = new Array(count);
  let next = 0;
  let skipped: { from: string; to: string; reason: string; dates: number } | undefined;
  const flushSkipped = () => {
    if (!skipped) return;
    const { from, to, reason, dates } = skipped;
    skipped = undefined;
    const when = dates === 1 ? from : `${from}..${to} (${dates} dates)`;
    write(`${when}  ${pc.yellow("SKIPPED")}  ${reason}`);
  };
  return (index, outcome) => {
    done[index] = outcome;
    for (let o = done[next]; o !== undefined; o = done[next]) {
      next++;
      if ("skipped" in o) {
        // The reason names the date only in its command: generalised so that dates in a row share it.
        const reason = o.skipped.replaceAll(o.date, "D");
        if (skipped && skipped.reason === reason) {
          skipped.to = o.date;
          skipped.dates++;
        } else {
          flushSkipped();
          skipped = { from: o.date, to: o.date, reason, dates: 1 };
        }
      } else {
        flushSkipped();
        write(describeOutcome(o));
      }
    }
    if (next === count) flushSkipped();
  };
}

function describeOutcome(o: DateOutcome): string {
  if ("skipped" in o) return `${o.date}  ${pc.yellow("SKIPPED")}  ${o.skipped}`;
  if ("executionArn" in o) return `${o.date}  started ${o.name}`;
  const head = `${o.date}  ${o.status === "SUCCEEDED" ? pc.green(o.status) : pc.red(o.status)}  ${o.execution}`;
  if (o.status !== "SUCCEEDED") {
    return `${head}  failed at ${o.failedStage ?? "?"}${o.failedEntity ? ` (${o.failedEntity})` : ""}: ${o.error ?? ""}\n    next: ${o.next ?? ""}`;
  }
  const rows = o.tables.reduce((n, t) => n + t.rows, 0);
  const failed = o.checks.filter((c) => c.failedRows > 0).length;
  return `${head}  ${o.tables.length} tables, ${rows} rows, ${o.checks.length - failed}/${o.checks.length} checks passed`;
}

/** What one date came to, as printed: an ended execution is summarized from its history. */
async function shownOutcome(backend: Backend, outcome: ReprocessOutcome): Promise<DateOutcome> {
  if ("skipped" in outcome) return outcome;
  const { execution } = outcome;
  return execution.status === "RUNNING" ? execution : summarize(backend.runs, execution, backend.flag);
}

export async function reprocessCommand(backend: Backend, g: GlobalOptions, opts: ReprocessOptions): Promise<void> {
  const dates = datesBetween(opts.from, opts.to);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) {
    throw new UsageError({
      reason: "outOfRange",
      flag: "--concurrency",
      value: String(opts.concurrency),
      min: 1,
      max: 8,
    });
  }
  const stop = new AbortController();
  const print = orderedPrinter(dates.length, (line) => {
    if (!g.json) stdout().write(`${line}\n`);
  });
  const shown: Promise<DateOutcome>[] = [];
  await whileStoppable(stop, () =>
    backend.runs.reprocess(dates, {
      concurrency,
      signal: stop.signal,
      onOutcome: (index, outcome) => {
        shown[index] = shownOutcome(backend, outcome).then((o) => {
          print(index, o);
          return o;
        });
      },
    }),
  );
  const outcomes = await Promise.all(shown);
  if (g.json) printJson(outcomes);
  const ended = outcomes.filter((o): o is RunSummary => "execution" in o);
  const failed = ended.filter((o) => o.status !== "SUCCEEDED").length;
  const done = ended.length - failed;
  const running = outcomes.filter((o) => "executionArn" in o).length;
  // On a stage the last executions still run: where to follow them; locally every date has ended.
  if (!g.json && running > 0 && !stop.signal.aborted) {
    stdout().write(`Follow them with: npx tunelake executions${backend.flag}\n`);
  }
  if (!g.json && running === 0) {
    const skipped = dates.length - ended.length - running;
    stdout().write(
      `\nreprocessed ${done} of ${dates.length} dates${failed > 0 ? pc.red(`, ${failed} failed`) : ""}${
        skipped > 0 ? `, ${skipped} skipped` : ""
      }\n`,
    );
  }
  if (failed > 0 || stop.signal.aborted) setExitCode(EXIT_CODES.pipelineFailure);
}
