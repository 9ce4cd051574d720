/**
 * The `Runs` port over a deployed stage's state machine. A run is followed by polling GetExecutionHistory until it
 * leaves RUNNING, each new event passed on once; a redrive is a new execution of the same date that resumes at the
 * failed stage (see cloud-executions.ts).
 */

import { ExecutionNotRunningError } from "@tunelake/core/errors";
import type {
  Execution,
  ExecutionDetails,
  ExecutionStatus,
  HistoryEvent,
  RedriveResult,
  RunObserver,
  Runs,
} from "@tunelake/core/ports";
import { pollUntil } from "@tunelake/core/resilience";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
import { assertExecutionName } from "@tunelake/core/workflow/run-names";
import type { CloudClientOptions, CloudClients } from "./cloud-clients.ts";
import {
  type CloudExecution,
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

const STOPPED: readonly string[] = ["FAILED", "TIMED_OUT", "ABORTED"];

function toExecution(e: CloudExecution): Execution {
  return {
    name: e.name,
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    status: e.status as ExecutionStatus,
    date: e.date,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    redriveCount: e.redriveCount ?? 0,
  };
}

function toDetails(d: CloudExecutionDetails, history: readonly HistoryEvent[] | undefined): ExecutionDetails {
  // Only a run that did not succeed has a stage to resume at.
  const failedStage =
    history && STOPPED.includes(d.status) ? failedStageFromHistory(history as never)?.stage : undefined;
  return {
    ...toExecution(d),
    ...(d.input !== undefined ? { input: d.input } : {}),
    ...(d.output !== undefined ? { output: d.output } : {}),
    ...(d.error !== undefined ? { error: d.error } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
    ...(failedStage ? { failedStage } : {}),
  };
}

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
    const events = STOPPED.includes(d.status) ? await cloudHistoryOfDescribed({ ...(await on()), name }) : undefined;
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
        date: input.date,
        reprocess: input.mode === "reprocess",
        ...(input.resumeFrom ? { resumeFrom: input.resumeFrom } : {}),
        ...(input.refetch ? { refetch: true } : {}),
      });
      if (observer?.follow === false) return toDetails(started, undefined);
      return follow(started.name, observer);
    },

    async list() {
      return (await cloudListExecutions(await on())).map(toExecution);
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

    async close() {
      const s = opened;
      opened = undefined;
      if (s) (await s.catch(() => undefined))?.close();
    },
  };
}
