/**
 * The `Runs` port over the embedded engine and the executions store under `<home>/executions/`: a run is executed
 * in this process and has ended when `start` returns; another process's run is stopped with SIGTERM, which the CLI
 * running it turns into an ABORTED execution.
 */

import { hostname } from "node:os";
import {
  ExecutionAlreadyRunningError,
  ExecutionNotRunningError,
  InvariantError,
  NotResumableError,
} from "@tunelake/core/errors";
import { assertRunDate, manifestKey, todayUtc } from "@tunelake/core/lake";
import { createConsoleLogger, type Logger } from "@tunelake/core/logger";
import type {
  Execution,
  ExecutionDetails,
  HistoryEvent,
  RedriveResult,
  RunObserver,
  Runs,
  StartRunInput,
} from "@tunelake/core/ports";
import { pollUntil } from "@tunelake/core/resilience";
import { type ExecutionFields, executionDetailsOf, executionOf } from "@tunelake/core/workflow/execution-record";
import { reprocessDates } from "@tunelake/core/workflow/reprocess";
import { RESUMABLE_STAGES, type ResumableStage } from "@tunelake/core/workflow/state-names";
import {
  type LocalEngineTuning,
  type LocalHandlers,
  localDefinition,
  redriveLocalExecution,
  runLocalExecution,
} from "./engine.ts";
import { ExecutionStopTimeoutError } from "./errors.ts";
import {
  abandon,
  type ExecutionRecord,
  getExecution,
  getHistory,
  listExecutions,
  nextExecutionName,
} from "./executions.ts";
import type { FaultName } from "./faults/index.ts";
import { createLocalTransformHandler, localStores } from "./handlers.ts";
import { localPaths } from "./paths.ts";
import { isLiveOwner } from "./process-identity.ts";
import { type LocalRunSetup, type PreparedRun, prepareLocalRun } from "./run-setup.ts";

/**
 * How the runs started here get their handlers, on the first start or redrive only (so listing and reading histories
 * need no config or credentials): prepared from a config file and a Spotify source (run-setup.ts), or given.
 */
export type LocalRunsHandlers = { setup: LocalRunSetup } | { handlers: () => Promise<LocalHandlers> };

export type LocalRunsOptions = LocalRunsHandlers & {
  home: string;
  tuning?: LocalEngineTuning;
  /** Faults injected into runs started here (never into a redrive). */
  faults?: readonly FaultName[];
  /** How long `abort` waits for the execution to leave RUNNING (default 15 s). */
  abortTimeoutMs?: number;
  /** The logger of a reprocess's Transform handler (a reprocess needs no config or Spotify source); default warn. */
  logger?: Logger;
};

/** A stored record as both backends describe an execution (the record keeps its failed stage; the engine wrote it). */
const detailsOfRecord = (record: ExecutionRecord): ExecutionDetails =>
  executionDetailsOf(record satisfies ExecutionFields, record.failedStage);

/** Runs of the pipeline on this machine, recorded under `<home>/executions/`. */
export function createLocalRuns(options: LocalRunsOptions): Runs {
  const { home } = options;
  const { raw } = localStores(home);
  let prepared: Promise<PreparedRun> | undefined;
  /** The handlers, made on the first start or redrive (the sample API's world is that run's date). */
  const loadHandlers = async (date: string) => {
    prepared ??=
      "setup" in options
        ? prepareLocalRun(home, options.faults ?? [], options.setup, date)
        : options.handlers().then((handlers) => ({ handlers, close: async () => {} }));
    const { handlers, freshnessToleranceDays } = await prepared;
    // The config's Validate tolerance goes into the definition the run executes, as synth puts it into the deployed one.
    const tuning: LocalEngineTuning = {
      ...options.tuning,
      ...(freshnessToleranceDays === undefined ? {} : { freshnessToleranceDays }),
    };
    return { handlers, tuning };
  };
  /** Runs this process executes now, by run date: stopped through their controller rather than a signal to ourselves. */
  const live = new Map<string, AbortController>();

  /** Follows one engine call of run date `date`: the caller's signal and `abort` both stop it. */
  const withController = async <T>(
    date: string,
    observer: RunObserver | undefined,
    run: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    const controller = new AbortController();
    const forward = () => controller.abort(observer?.signal?.reason);
    if (observer?.signal?.aborted) forward();
    observer?.signal?.addEventListener("abort", forward, { once: true });
    // One live run per date (the date's lock), so the date finds the controller of the run `abort` names.
    if (!live.has(date)) live.set(date, controller);
    try {
      return await run(controller.signal);
    } finally {
      observer?.signal?.removeEventListener("abort", forward);
      if (live.get(date) === controller) live.delete(date);
    }
  };

  return {
    backend: "local",
    location: localPaths(home).executions,

    async start(input: StartRunInput, observer?: RunObserver) {
      // The date is checked before the handlers (config, Spotify source) load.
      const date = assertRunDate(input.date ?? todayUtc());
      const { handlers: engineHandlers, tuning } = await loadHandlers(date);
      const record = await withController(date, observer, (signal) =>
        runLocalExecution({
          ...tuning,
          home,
          input: {
            date,
            mode: input.mode,
            ...(input.resumeFrom ? { resumeFrom: input.resumeFrom } : {}),
            ...(input.refetch ? { refetch: true } : {}),
          },
          handlers: engineHandlers,
          faults: options.faults,
          signal,
          onEvent: observer?.onEvent,
        }),
      );
      return detailsOfRecord(record);
    },

    async list(): Promise<Execution[]> {
      return (await listExecutions(home)).map(executionOf);
    },

    async describe(name) {
      return detailsOfRecord(await getExecution(home, name));
    },

    async history(name): Promise<HistoryEvent[]> {
      return getHistory(home, name);
    },

    async redrive(name, observer) {
      const before = await getExecution(home, name);
      const { handlers: engineHandlers, tuning } = await loadHandlers(before.date);
      const record = await withController(before.date, observer, (signal) =>
        redriveLocalExecution({
          ...tuning,
          home,
          name,
          handlers: engineHandlers,
          signal,
          onEvent: observer?.onEvent,
        }),
      );
      // redriveLocalExecution refused anything but a FAILED or ABORTED record with a resumable stage.
      const resumedFrom = before.failedStage as ResumableStage;
      if (!(RESUMABLE_STAGES as readonly string[]).includes(resumedFrom)) {
        throw new NotResumableError({ name, reason: "noStage", source: "record", date: before.date });
      }
      return { redriveOf: name, resumedFrom, execution: detailsOfRecord(record) } satisfies RedriveResult;
    },

    async abort(name) {
      const record = await getExecution(home, name);
      if (record.status !== "RUNNING") throw new ExecutionNotRunningError({ name, status: record.status });
      if (record.host !== undefined && record.host !== hostname()) {
        // Its pid means nothing here: never signal (or mark FAILED) a run another machine may still be running.
        throw new ExecutionAlreadyRunningError({
          date: record.date,
          running: name,
          reason: "otherHost",
          host: record.host,
          pid: record.pid,
        });
      }
      const mine = record.pid === process.pid ? live.get(record.date) : undefined;
      if (mine) {
        mine.abort("tunelake abort");
      } else if (record.pid === undefined || record.pid <= 0 || !isLiveOwner(record)) {
        // (A pid of 0 or below would signal a whole process group: never a run's owner. A live pid with another start
        // time, or on another host, is not the run's process: never signalled.)
        // Nobody runs it any more: recorded as the next run of its date would find it.
        await abandon(home, name, record.pid ?? -1);
        return detailsOfRecord(await getExecution(home, name));
      } else {
        process.kill(record.pid, "SIGTERM");
      }
      const timeoutMs = options.abortTimeoutMs ?? 15_000;
      return pollUntil(
        async () => {
          const now = await getExecution(home, name);
          return now.status !== "RUNNING" ? detailsOfRecord(now) : undefined;
        },
        {
          intervalMs: 50,
          timeoutMs,
          onTimeout: () => {
            throw new ExecutionStopTimeoutError({ name, pid: record.pid, waitedMs: timeoutMs });
          },
        },
      );
    },

    async reprocess(dates, reprocessOptions) {
      const handlers: LocalHandlers = {
        extract: async () => {
          throw new InvariantError({ what: "a reprocess never extracts" });
        },
        transform: createLocalTransformHandler(home, options.logger ?? createConsoleLogger("warn")),
      };
      // Names are chosen one at a time, so that two dates starting together never pick the same one.
      let naming = Promise.resolve();
      const nameFor = (date: string) => {
        const name = naming.then(() => nextExecutionName(home, `${date}-reprocess`));
        naming = name.then(() => undefined);
        return name;
      };
      return reprocessDates(dates, reprocessOptions, {
        skip: async (date) =>
          (await raw.list(manifestKey(date))).length === 0
            ? `no raw data (no ${manifestKey(date)}): extract it with tunelake run --date ${date}`
            : undefined,
        run: async (date) => {
          const name = await nameFor(date);
          const record = await withController(
            date,
            { ...(reprocessOptions.signal ? { signal: reprocessOptions.signal } : {}) },
            (signal) =>
              runLocalExecution({
                ...options.tuning,
                home,
                name,
                input: { date, mode: "reprocess" },
                handlers,
                signal,
                // Each date's NotifyFailure line would interleave with the others: the caller says each date's outcome.
                stderr: () => undefined,
              }),
          );
          return detailsOfRecord(record);
        },
      });
    },

    async definition() {
      return localDefinition();
    },

    async close() {
      // The store is read afresh by every call: only a Spotify source started for a run is held open.
      const held = prepared;
      prepared = undefined;
      if (held) await (await held.catch(() => undefined))?.close();
    },
  };
}
