/**
 * `tunelake reprocess --from D1 --to D2`: rebuilds the curated tables of a range of dates from the raw zone (after a
 * transform change), one execution per date in `reprocess` mode (Extract is skipped), a few dates at a time.
 * Locally each execution is named `<date>-reprocess` (then `-2`...), so it never takes a daily run's name.
 */
import { ConfigError } from "@tunelake/core/errors";
import { assertRunDate, manifestKey } from "@tunelake/core/lake";
import { createConsoleLogger } from "@tunelake/core/logger";
import type { ExecutionDetails, Runs } from "@tunelake/core/ports";
import { pollUntil } from "@tunelake/core/resilience";
import { type LocalHandlers, runLocalExecution } from "@tunelake/local/engine";
import { nextExecutionName } from "@tunelake/local/executions";
import { createLocalTransformHandler, localStores } from "@tunelake/local/handlers";
import pc from "picocolors";
import { withBackend } from "../backend.ts";
import { cliEnv, EXIT_CODES, type GlobalOptions, printJson, setExitCode, stdout, whileStoppable } from "../context.ts";
import { UsageError } from "../errors.ts";
import { type RunSummary, summarize } from "./summary.ts";

/** The most dates one command rebuilds: a year, so that a typo in a year does not start thousands of runs. */
export const MAX_REPROCESS_DATES = 366;

export interface ReprocessOptions {
  from: string;
  to: string;
  concurrency: string;
  stage?: string;
}

/** Every date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const start = assertRunDate(from);
  const end = assertRunDate(to);
  if (end < start) throw new UsageError(`--to ${end} is before --from ${start}: give the earlier date first.`);
  const dates: string[] = [];
  for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) <= end; d.setUTCDate(d.getUTCDate() + 1)) {
    dates.push(d.toISOString().slice(0, 10));
    if (dates.length > MAX_REPROCESS_DATES) {
      throw new UsageError(`${start}..${end} is more than ${MAX_REPROCESS_DATES} dates: reprocess it in parts.`);
    }
  }
  return dates;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of `items` in the results. */
async function mapBounded<T, R>(
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
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Starts one reprocess execution per date on a stage with at most `concurrency` of them RUNNING at a time, polling the
 * running ones (DescribeExecution) every `pollMs` before starting more. Each execution runs one Transform Lambda per
 * entity in parallel, so a year started at once would ask for about 2,000 concurrent Lambdas (the account's default
 * limit is 1,000) and queue 366 crawls behind one crawler. Returns the started executions in date order; does not wait
 * for the last ones to end.
 */
export async function startBounded(
  runs: Pick<Runs, "start" | "describe">,
  dates: readonly string[],
  concurrency: number,
  options: { pollMs?: number; onStarted?: (execution: ExecutionDetails) => void; signal?: AbortSignal } = {},
): Promise<ExecutionDetails[]> {
  const started: ExecutionDetails[] = [];
  const running = new Set<string>();
  for (const date of dates) {
    if (running.size >= concurrency && !options.signal?.aborted) {
      // Waits a poll interval before each look, so an execution just started is not described at once.
      await pollUntil(
        async (checks) => {
          if (checks === 0 || options.signal?.aborted) return options.signal?.aborted ? true : undefined;
          for (const name of [...running]) {
            if ((await runs.describe(name)).status !== "RUNNING") running.delete(name);
          }
          return running.size < concurrency ? true : undefined;
        },
        { intervalMs: options.pollMs ?? 5000, ...(options.signal ? { signal: options.signal } : {}) },
      );
    }
    if (options.signal?.aborted) break;
    const execution = await runs.start({ date, mode: "reprocess" }, { follow: false });
    started.push(execution);
    running.add(execution.name);
    options.onStarted?.(execution);
  }
  return started;
}

type DateOutcome = { date: string; skipped: string } | RunSummary;

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
  const head = `${o.date}  ${o.status === "SUCCEEDED" ? pc.green(o.status) : pc.red(o.status)}  ${o.execution}`;
  if (o.status !== "SUCCEEDED") {
    return `${head}  failed at ${o.failedStage ?? "?"}${o.failedEntity ? ` (${o.failedEntity})` : ""}: ${o.error ?? ""}\n    next: ${o.next ?? ""}`;
  }
  const rows = o.tables.reduce((n, t) => n + t.rows, 0);
  const failed = o.checks.filter((c) => c.failedRows > 0).length;
  return `${head}  ${o.tables.length} tables, ${rows} rows, ${o.checks.length - failed}/${o.checks.length} checks passed`;
}

export async function reprocessCommand(g: GlobalOptions, opts: ReprocessOptions): Promise<void> {
  const dates = datesBetween(opts.from, opts.to);
  const concurrency = Number(opts.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 8) {
    throw new UsageError(`--concurrency must be 1-8, got "${opts.concurrency}".`);
  }
  if (opts.stage) {
    // On a stage each date is its own execution: at most --concurrency of them running at once.
    await withBackend(g, { stage: opts.stage }, async ({ runs, flag }) => {
      const stop = new AbortController();
      const started = await whileStoppable(stop, () =>
        startBounded(runs, dates, concurrency, {
          signal: stop.signal,
          onStarted: (execution) => {
            if (!g.json) stdout().write(`${execution.date}  started ${execution.name}\n`);
          },
        }),
      );
      if (g.json) printJson(started);
      if (stop.signal.aborted) setExitCode(EXIT_CODES.pipelineFailure);
      else if (!g.json) stdout().write(`Follow them with: npx tunelake executions${flag}\n`);
    });
    return;
  }

  const { raw } = localStores(g.home);
  const logger = createConsoleLogger(cliEnv().TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn");
  const handlers: LocalHandlers = {
    extract: async () => {
      throw new ConfigError("A reprocess never extracts: this is a bug in the reprocess command.");
    },
    transform: createLocalTransformHandler(g.home, logger),
  };
  // Names are chosen one at a time, so that two dates starting together never pick the same one.
  let naming = Promise.resolve();
  const nameFor = (date: string) => {
    const name = naming.then(() => nextExecutionName(g.home, `${date}-reprocess`));
    naming = name.then(() => undefined);
    return name;
  };
  const stop = new AbortController();
  const print = orderedPrinter(dates.length, (line) => {
    if (!g.json) stdout().write(`${line}\n`);
  });
  const outcomes = await whileStoppable(stop, () =>
    mapBounded(dates, concurrency, async (date, index): Promise<DateOutcome> => {
      if (stop.signal.aborted) {
        const outcome = { date, skipped: "not started: stopped" };
        print(index, outcome);
        return outcome;
      }
      if ((await raw.list(manifestKey(date))).length === 0) {
        const outcome = {
          date,
          skipped: `no raw data (no ${manifestKey(date)}): extract it with tunelake run --date ${date}`,
        };
        print(index, outcome);
        return outcome;
      }
      const record = await runLocalExecution({
        home: g.home,
        name: await nameFor(date),
        input: { date, mode: "reprocess" },
        handlers,
        signal: stop.signal,
        // Each date's NotifyFailure line would interleave with the others: the per-date line says it all.
        stderr: () => undefined,
      });
      const summary = await summarize(g.home, record);
      print(index, summary);
      return summary;
    }),
  );
  if (g.json) printJson(outcomes);
  const failed = outcomes.filter((o) => !("skipped" in o) && o.status !== "SUCCEEDED").length;
  const done = outcomes.filter((o) => !("skipped" in o) && o.status === "SUCCEEDED").length;
  if (!g.json) {
    stdout().write(
      `\nreprocessed ${done} of ${dates.length} dates${failed > 0 ? pc.red(`, ${failed} failed`) : ""}${
        dates.length - done - failed > 0 ? `, ${dates.length - done - failed} skipped` : ""
      }\n`,
    );
  }
  if (failed > 0 || stop.signal.aborted) setExitCode(EXIT_CODES.pipelineFailure);
}
