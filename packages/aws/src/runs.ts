/**
 * The `Runs` port over a deployed stage's state machine. A run is followed by polling GetExecutionHistory until it
 * leaves RUNNING, each new event passed on once; a redrive is a new execution of the same date that resumes at the
 * failed stage (see cloud-executions.ts).
 */

import { ExecutionNotRunningError } from "@tunelake/core/errors";
import type { ExecutionDetails, HistoryEvent, RedriveResult, RunObserver, Runs } from "@tunelake/core/ports";
import { pollUntil } from "@tunelake/core/resilience";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { endedBadly, executionDetailsOf, executionOf } from "@tunelake/core/workflow/execution-record";
import { failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
import { reprocessDates } from "@tunelake/core/workflow/reprocess";
import { assertExecutionName } from "@tunelake/core/workflow/run-names";
import { stageDefinition } from "@tunelake/core/workflow/stage-definition";
import type { CloudClientOptions, CloudClients } from "./cloud-clients.ts";
import {
  type CloudExecutionDetails,
  cloudDescribeExecution,
  cloudHistory,
  cloudHistoryOfDescribed,
  cloudListExecutions,
  cloudRedrive,
  cloudStartRun,
  cloudStopExecution,
} from "./cloud-executions.ts";
import { type CloudStage, openStage } from "./cloud-stage.ts";

export interface AwsRunsOptions {
  /** The stage name (from `.sst/outputs.json`, else CloudFormation) or its outputs, already resolved. */
  stage: string | StageOutputs;
  /** Clients to use instead of new ones (tests bind them to moto_server). */
  clients?: Partial<CloudClients>;
  /** Project root holding `.sst/outputs.json` (default: the current directory). */
  root?: string;
  outputsFile?: string;
  clientOptions?: CloudClientOptions;
  /** How often a followed execution's history is polled (default 2000 ms). */
  pollMs?: number;
  /** How long `abort` waits for a stopped execution to leave RUNNING (default 30 s). */
  abortTimeoutMs?: number;
}

/** DescribeExecution's answer with the stage a redrive resumes at, read from the history when it ended badly. */
const toDetails = (d: CloudExecutionDetails, history: readonly HistoryEvent[] | undefined): ExecutionDetails =>
  executionDetailsOf(d, history ? failedStageFromHistory(history)?.stage : undefined);

/** Runs on a deployed stage; the stage is resolved once, on first use. */
export function createAwsRuns(options: AwsRunsOptions): Runs {
  let opened: Promise<CloudStage> | undefined;
  const stage = () => {
    opened ??= openStage(options);
    return opened;
  };
  /** Options for the cloud-executions functions: the resolved outputs and this adapter's clients. */
  const on = async () => {
    const s = await stage();
    return { stage: s.outputs, clients: s.clients };
  };
  const pollMs = options.pollMs ?? 2000;

  // Names are checked against the one pattern of execution names before they reach an ARN.
  const history = async (name: string): Promise<HistoryEvent[]> => {
    assertExecutionName(name);
    return (await cloudHistory({ ...(await on()), name })) as HistoryEvent[];
  };

  const describe = async (name: string): Promise<ExecutionDetails> => {
    assertExecutionName(name);
    const d = await cloudDescribeExecution({ ...(await on()), name });
    const events = endedBadly(d.status) ? await cloudHistoryOfDescribed({ ...(await on()), name }) : undefined;
    return toDetails(d, events as HistoryEvent[] | undefined);
  };

  /** Waits until the execution leaves RUNNING (or the caller stops following), passing each new event once. */
  const follow = async (name: string, observer: RunObserver | undefined): Promise<ExecutionDetails> => {
    let seen = 0;
    let stopped = false;
    return pollUntil(
      async () => {
        // Described before the history is read, so the history of an execution seen ended holds its last event.
        const d = await cloudDescribeExecution({ ...(await on()), name });
        const events = (await cloudHistoryOfDescribed({ ...(await on()), name })) as HistoryEvent[];
        for (const event of events.slice(seen)) {
          try {
            observer?.onEvent?.(event);
          } catch {
            // A broken progress printer must not break following the run.
          }
        }
        seen = Math.max(seen, events.length);
        if (d.status !== "RUNNING") return toDetails(d, events);
        if (observer?.signal?.aborted && !stopped) {
          stopped = true;
          const reason = observer.signal.reason;
          await cloudStopExecution({
            ...(await on()),
            name,
            cause: `Stopped${typeof reason === "string" ? ` by ${reason}` : ""} while following it`,
          });
        }
        return undefined;
      },
      // An abort cuts the wait short once: the execution is stopped at once, then followed until it has ended.
      { intervalMs: pollMs, ...(observer?.signal ? { signal: observer.signal } : {}) },
    );
  };

  return {
    backend: "aws",
    get location() {
      return typeof options.stage === "string" ? `stage ${options.stage}` : options.stage.stateMachineArn;
    },

    async start(input, observer) {
      const started = await cloudStartRun({
        ...(await on()),
        ...(input.date ? { date: input.date } : {}),
        reprocess: input.mode === "reprocess",
        ...(input.resumeFrom ? { resumeFrom: input.resumeFrom } : {}),
        ...(input.refetch ? { refetch: true } : {}),
      });
      if (observer?.follow === false) return toDetails(started, undefined);
      return follow(started.name, observer);
    },

    async list() {
      return (await cloudListExecutions(await on())).map(executionOf);
    },

    describe,
    history,

    async redrive(name, observer): Promise<RedriveResult> {
      assertExecutionName(name);
      const result = await cloudRedrive({ ...(await on()), name });
      const execution =
        observer?.follow === false
          ? toDetails(result.execution, undefined)
          : await follow(result.execution.name, observer);
      return { redriveOf: result.redriveOf, resumedFrom: result.resumedFrom, execution };
    },

    async abort(name) {
      assertExecutionName(name);
      const before = await cloudDescribeExecution({ ...(await on()), name });
      if (before.status !== "RUNNING") throw new ExecutionNotRunningError({ name, status: before.status });
      await cloudStopExecution({ ...(await on()), name, cause: "Stopped by tunelake abort" });
      let last: ExecutionDetails | undefined;
      return pollUntil(
        async () => {
          last = await describe(name);
          return last.status !== "RUNNING" ? last : undefined;
        },
        {
          intervalMs: Math.min(pollMs, 500),
          timeoutMs: options.abortTimeoutMs ?? 30_000,
          // Still RUNNING at the deadline: the caller says so from the execution as last seen.
          onTimeout: () => last as ExecutionDetails,
        },
      );
    },

    async reprocess(dates, reprocessOptions) {
      const { signal } = reprocessOptions;
      // Once the last date has started, no execution needs to hold its slot any longer.
      const allStarted = new AbortController();
      const cutShort = signal ? AbortSignal.any([signal, allStarted.signal]) : allStarted.signal;
      return reprocessDates(dates, reprocessOptions, {
        // Each date is started, then holds its slot while it runs as long as later dates wait for one: the last ones
        // are not waited for.
        run: async (date, moreToStart) => {
          const started = toDetails(await cloudStartRun({ ...(await on()), date, reprocess: true }), undefined);
          if (!moreToStart()) allStarted.abort();
          // Waits a poll interval before each look, so an execution just started is not described at once.
          await pollUntil(
            async (checks) => {
              if (!moreToStart()) return true;
              if (checks === 0) return undefined;
              const { status } = await cloudDescribeExecution({ ...(await on()), name: started.name });
              return status !== "RUNNING" ? true : undefined;
            },
            { intervalMs: reprocessOptions.pollMs ?? 5000, signal: cutShort },
          );
          return started;
        },
      });
    },

    async definition() {
      return stageDefinition((await stage()).outputs);
    },

    async close() {
      const s = opened;
      opened = undefined;
      if (s) (await s.catch(() => undefined))?.close();
    },
  };
}
