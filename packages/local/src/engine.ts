/**
 * The embedded engine: runs THE definition (packages/core/src/workflow) with aws-local-stepfunctions. Lambda states
 * call the handlers in-process, Glue and Athena states are served by DuckDB over files, NotifyFailure writes to the
 * outbox. Every execution is recorded under `<home>/executions/` with a GetExecutionHistory-shaped history, and a
 * FAILED one can be redriven in the same record, resuming at the stage that failed.
 */
import "./polyfills.ts";
import { ConfigError, NotResumableError } from "@tunelake/core/errors";
import { assertRunDate, todayUtc } from "@tunelake/core/lake";
import { redactSecrets } from "@tunelake/core/redact";
import { type DefinitionSubstitutions, renderDefinition } from "@tunelake/core/workflow/definition";
import { failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
import {
  RESUMABLE_STAGES,
  STATE_NAMES as S,
  type StateMachineDefinition,
  stageOfState,
} from "@tunelake/core/workflow/state-names";
import type { Context } from "aws-lambda";
import { ExecutionAbortedError, ExecutionError, StateMachine } from "aws-local-stepfunctions";
import { createLocalAthena } from "./athena.ts";
import {
  type ExecutionRecord,
  failedExecution,
  getExecution,
  getHistory,
  type HistoryEvent,
  lockRunDate,
  nextExecutionName,
  saveExecution,
  saveHistory,
} from "./executions.ts";
import { type FaultName, withFaults } from "./faults/index.ts";
import { createLocalGlue, LOCAL_CRAWLER_NAME } from "./glue.ts";
import type { LocalHandlers } from "./handlers.ts";
import { causeText, createHistoryRecorder, type InterpreterEvent, LOCAL_ROLE_ARN } from "./history.ts";
import { localLambdaContext } from "./lambda-context.ts";
import { createLocalOutbox } from "./outbox.ts";
import { currentProcess } from "./process-identity.ts";

export type { LocalHandlers, LocalLambdaContext } from "./handlers.ts";

export interface LocalRunInput {
  date?: string;
  mode?: "extract" | "reprocess";
  resumeFrom?: string;
  /** Start the extract over instead of continuing an unfinished checkpoint of another execution. */
  refetch?: boolean;
}

/** Knobs that make local runs quick; the defaults suit a laptop. */
export interface LocalEngineTuning {
  /** GetCrawler polls before the run fails (default 20). */
  crawlerPollLimit?: number;
  /** Validate's freshness tolerance in days (the config's `validate.freshnessToleranceDays`; default 45). */
  freshnessToleranceDays?: number;
  /** Milliseconds WaitForCrawler waits locally (default 100). */
  crawlerPollMs?: number;
  /** How long one Extract invocation may run locally, as Lambda's timeout (default 15 minutes). */
  extractTimeoutMs?: number;
  /** When set, WaitForSpotify waits this many milliseconds instead of Spotify's Retry-After. */
  spotifyWaitMs?: number;
  /** When set, every Retry waits this many milliseconds instead of the definition's backoff. */
  retryIntervalMs?: number;
  /** Where NotifyFailure's line goes (default stderr). */
  stderr?: (line: string) => void;
  /**
   * Stops the execution (Ctrl-C): it ends ABORTED at once, with an ExecutionAborted event, and can be redriven at
   * the stage it was in. Handlers still running are not awaited: the caller exits, as a stopped Lambda would.
   */
  signal?: AbortSignal;
}

export interface RunLocalExecutionOptions extends LocalEngineTuning {
  home: string;
  input: LocalRunInput;
  handlers: LocalHandlers;
  /** Injected faults, for this run only; spotify-* are applied by the caller (the sample API) and only recorded here. */
  faults?: readonly FaultName[];
  /** Each history event as it happens (live progress). */
  onEvent?: (event: HistoryEvent) => void;
  /** Execution name (default: the run date, `-2`, `-3`... for reruns). */
  name?: string;
}

export interface RedriveLocalExecutionOptions extends LocalEngineTuning {
  home: string;
  name: string;
  handlers: LocalHandlers;
  onEvent?: (event: HistoryEvent) => void;
}

const LOCAL_REGION = "local";
const LOCAL_ACCOUNT = "000000000000";
const STATE_MACHINE_NAME = "tunelake-local";

/** Fake ARNs and names for the local run: the handlers behind them are local. */
export const LOCAL_SUBSTITUTIONS: DefinitionSubstitutions = {
  ExtractFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:tunelake-extract`,
  TransformFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:tunelake-transform`,
  CrawlerName: LOCAL_CRAWLER_NAME,
  AthenaWorkGroup: "tunelake-local",
  GlueDatabase: "tunelake_local",
  FailureTopicArn: `arn:aws:sns:${LOCAL_REGION}:${LOCAL_ACCOUNT}:tunelake-failures`,
};

/**
 * The definition as the local engine runs it: fake ARNs, the crawler polled every second (20 times by default), and
 * the config's freshness tolerance.
 */
export function localDefinition(crawlerPollLimit = 20, freshnessToleranceDays?: number): StateMachineDefinition {
  return renderDefinition(LOCAL_SUBSTITUTIONS, { crawlerPollLimit, crawlerPollSeconds: 1, freshnessToleranceDays });
}

const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
const executionArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${STATE_MACHINE_NAME}:${name}`;

/** Lambda's longest timeout, the Transform function's (and Extract's unless `extractTimeoutMs` says otherwise). */
const LAMBDA_TIMEOUT_MS = 900_000;

/** Writes the history at most one write at a time, always ending with the latest events. */
function createHistoryWriter(home: string, name: string, events: () => readonly HistoryEvent[]) {
  let running: Promise<void> | undefined;
  let dirty = false;
  const loop = async () => {
    while (dirty) {
      dirty = false;
      await saveHistory(home, name, events());
    }
    running = undefined;
  };
  return {
    schedule() {
      dirty = true;
      running ??= loop();
    },
    async flush() {
      dirty = true;
      running ??= loop();
      await running;
    },
  };
}

interface ExecuteOptions extends LocalEngineTuning {
  home: string;
  record: ExecutionRecord;
  input: Record<string, unknown>;
  handlers: LocalHandlers;
  faults: readonly FaultName[];
  previous: readonly HistoryEvent[];
  redriveCount?: number;
  onEvent?: (event: HistoryEvent) => void;
}

/**
 * The definitions this process has validated (as their JSON text). aws-local-stepfunctions validates a definition with
 * asl-validator on every construction, and asl-validator compiles its JSON schema each time: a quarter of a second per
 * execution. The answer is a function of the definition, so each distinct definition is validated once, by the same
 * validator, and later executions of it skip that step.
 */
const validatedDefinitions = new Set<string>();

function stateMachine(definition: object): StateMachine {
  const text = JSON.stringify(definition);
  if (validatedDefinitions.has(text)) {
    return new StateMachine(definition as never, { validationOptions: { noValidate: true } });
  }
  const machine = new StateMachine(definition as never);
  validatedDefinitions.add(text);
  return machine;
}

/** Runs the definition once and brings the record to SUCCEEDED or FAILED, even when the engine itself breaks. */
async function execute(options: ExecuteOptions): Promise<ExecutionRecord> {
  try {
    return await executeOnce(options);
  } catch (error) {
    const broken = error instanceof Error ? error : new Error(String(error));
    await saveExecution(
      options.home,
      failedExecution(options.record, {
        error: broken.name,
        cause: redactSecrets(broken.message),
        failedStage: options.record.failedStage ?? options.record.currentStage ?? S.Extract,
      }),
    );
    throw error;
  }
}

async function executeOnce(options: ExecuteOptions): Promise<ExecutionRecord> {
  const { home, faults } = options;
  let record = options.record;
  const definition = localDefinition(options.crawlerPollLimit, options.freshnessToleranceDays);
  // The one place faults apply: around this execution's handlers and stand-ins (faults/index.ts).
  const { handlers, glue, athena } = withFaults(
    { handlers: options.handlers, glue: createLocalGlue({ home }), athena: createLocalAthena({ home }) },
    faults,
  );
  const outbox = createLocalOutbox({ home, execution: record.name, stderr: options.stderr });
  // When one Map iteration fails the execution ends at once, but the other iterations' handlers are still writing
  // (as Lambdas run to completion on AWS). The run is only over, and a redrive safe to start, once they are done.
  const inflight = new Set<Promise<unknown>>();

  /** A Lambda Task served in-process: a fresh Lambda context per invocation, Lambda's Invoke answer around it. */
  const lambda =
    (functionArn: string, timeoutMs: number, handler: (payload: unknown, context: Context) => Promise<unknown>) =>
    async (input: unknown) => {
      const { Payload } = (input ?? {}) as { Payload?: unknown };
      const functionName = functionArn.slice(functionArn.lastIndexOf(":") + 1);
      const call = handler(Payload, localLambdaContext({ functionName, functionArn, timeoutMs }));
      inflight.add(call);
      try {
        return { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: (await call) ?? null };
      } finally {
        inflight.delete(call);
      }
    };
  const extract = lambda(
    LOCAL_SUBSTITUTIONS.ExtractFunctionArn,
    options.extractTimeoutMs ?? LAMBDA_TIMEOUT_MS,
    handlers.extract,
  );
  const transform = lambda(LOCAL_SUBSTITUTIONS.TransformFunctionArn, LAMBDA_TIMEOUT_MS, handlers.transform);

  // The Task states served in-process; their names also key the retry overrides.
  const taskHandlers = {
    [S.Extract]: extract as never,
    [S.TransformEntity]: transform as never,
    [S.StartCrawler]: glue.startCrawler as never,
    [S.GetCrawler]: glue.getCrawler as never,
    [S.Validate]: athena.startQueryExecutionSync as never,
    [S.GetValidationResults]: athena.getQueryResults as never,
    [S.NotifyFailure]: outbox.publish as never,
  };
  const retryIntervalMs = options.retryIntervalMs;
  const machine = stateMachine(definition);
  const execution = machine.run(options.input as never, {
    context: {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: LOCAL_ROLE_ARN,
      },
      StateMachine: { Id: stateMachineArn, Name: STATE_MACHINE_NAME },
    },
    overrides: {
      taskResourceLocalHandlers: taskHandlers,
      waitTimeOverrides: {
        [S.WaitForCrawler]: options.crawlerPollMs ?? 100,
        ...(options.spotifyWaitMs === undefined ? {} : { [S.WaitForSpotify]: options.spotifyWaitMs }),
      },
      ...(retryIntervalMs === undefined
        ? {}
        : { retryIntervalOverrides: Object.fromEntries(Object.keys(taskHandlers).map((n) => [n, retryIntervalMs])) }),
    },
  });

  const recorder = createHistoryRecorder({
    definition,
    previous: options.previous,
    redriveCount: options.redriveCount,
  });
  const writer = createHistoryWriter(home, record.name, recorder.events);
  let recordWrite = Promise.resolve();

  const consume = (async () => {
    for await (const raw of execution.eventLogs) {
      const event = raw as unknown as InterpreterEvent;
      if (event.type === "StateEntered" && event.state && event.index === undefined) {
        const stage = stageOfState(event.state.name);
        if (stage && stage !== record.currentStage) {
          record = { ...record, currentStage: stage };
          const snapshot = record;
          recordWrite = recordWrite.then(() => saveExecution(home, snapshot));
        }
      }
      for (const h of recorder.record(event)) {
        try {
          options.onEvent?.(h);
        } catch {
          // A broken progress printer must not break the run.
        }
      }
      writer.schedule();
    }
  })();

  let output: unknown;
  let error: { name: string; cause: string } | undefined;
  let aborted = false;
  const abort = () => execution.abort();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener("abort", abort, { once: true });
  try {
    output = await execution.result;
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError) aborted = true;
    const inner = thrown instanceof ExecutionError ? (thrown.cause as Error | undefined) : (thrown as Error);
    error = { name: inner?.name ?? "States.Runtime", cause: causeText(inner?.message ?? inner) };
  }
  options.signal?.removeEventListener("abort", abort);
  if (!aborted) await Promise.allSettled([...inflight]);
  await consume;
  await writer.flush();
  await recordWrite;

  const stopDate = new Date().toISOString();
  // Where a redrive resumes, read from this attempt's history as a stage's is: the stage a Catch recorded, else the
  // last stage entered (an abort, or an error no Catch caught); before any, the stage the record was in.
  const failure = failedStageFromHistory(recorder.events().slice(options.previous.length));
  const failedStage = failure?.stage ?? record.currentStage ?? S.Extract;
  if (aborted) {
    const stage = failedStage;
    const reason = options.signal?.reason;
    const cause = `Stopped${typeof reason === "string" ? ` by ${reason}` : ""} during ${stage}. Resume it there: tunelake redrive ${record.name}`;
    // Recorded like a failure (with the stage to redrive at), under its own status.
    record = {
      ...failedExecution(record, { stopDate, error: "States.Aborted", cause, failedStage: stage }),
      status: "ABORTED",
    };
  } else {
    record = error
      ? failedExecution(record, {
          stopDate,
          // The caught error's own name: Failed raises it behind the notified marker (for the failure notifier on AWS).
          error: failure?.error ?? error.name,
          cause: error.cause,
          failedStage,
        })
      : {
          ...record,
          status: "SUCCEEDED",
          stopDate,
          output,
          failedStage: undefined,
          pid: undefined,
          host: undefined,
          pidStart: undefined,
        };
  }
  await saveExecution(home, record);
  return record;
}

/** Runs the pipeline locally as a new execution and returns its final record (it does not throw when the run fails). */
export async function runLocalExecution(options: RunLocalExecutionOptions): Promise<ExecutionRecord> {
  const date = assertRunDate(options.input.date ?? todayUtc());
  const mode = options.input.mode ?? "extract";
  if (mode !== "extract" && mode !== "reprocess") {
    throw new ConfigError({ reason: "unknownMode", mode: String(mode), modes: ["extract", "reprocess"] });
  }
  const resumeFrom = options.input.resumeFrom;
  if (resumeFrom !== undefined && !(RESUMABLE_STAGES as readonly string[]).includes(resumeFrom)) {
    throw new ConfigError({ reason: "notResumableStage", stage: String(resumeFrom), stages: RESUMABLE_STAGES });
  }
  const name = options.name ?? (await nextExecutionName(options.home, date));
  const release = await lockRunDate(options.home, date, name);
  try {
    const existing = await getExecution(options.home, name).catch(() => undefined);
    if (existing) {
      throw new ConfigError({ reason: "executionExists", name, status: existing.status });
    }
    const input: Record<string, unknown> = {
      date,
      mode,
      ...(resumeFrom ? { resumeFrom } : {}),
      ...(options.input.refetch ? { refetch: true } : {}),
    };
    const record: ExecutionRecord = {
      name,
      executionArn: executionArn(name),
      stateMachineArn,
      date,
      input,
      status: "RUNNING",
      startDate: new Date().toISOString(),
      faults: [...(options.faults ?? [])],
      redriveCount: 0,
      ...currentProcess(),
    };
    await saveExecution(options.home, record);
    return await execute({
      ...options,
      record,
      input,
      faults: options.faults ?? [],
      previous: [],
    });
  } finally {
    await release();
  }
}

/**
 * Resumes a FAILED (or ABORTED) execution at the stage that failed (or was stopped in), in the same record: history is appended after an
 * `ExecutionRedriven` event, stages that had succeeded are not run again, and the first run's faults do not apply.
 */
export async function redriveLocalExecution(options: RedriveLocalExecutionOptions): Promise<ExecutionRecord> {
  const { home, name } = options;
  const before = await getExecution(home, name);
  const release = await lockRunDate(home, before.date, name);
  try {
    const record = await getExecution(home, name);
    if (record.status !== "FAILED" && record.status !== "ABORTED") {
      throw new NotResumableError({
        name,
        reason: "status",
        status: record.status,
        date: record.date,
        redrivable: ["FAILED", "ABORTED"],
      });
    }
    const stage = record.failedStage;
    if (!stage || !(RESUMABLE_STAGES as readonly string[]).includes(stage)) {
      throw new NotResumableError({
        name,
        reason: "beforeAnyStage",
        failedIn: stage,
        date: record.date,
      });
    }
    const redriveCount = record.redriveCount + 1;
    const running: ExecutionRecord = {
      ...record,
      status: "RUNNING",
      redriveCount,
      redriveDate: new Date().toISOString(),
      stopDate: undefined,
      error: undefined,
      cause: undefined,
      ...currentProcess(),
    };
    await saveExecution(home, running);
    const { resumeFrom: _ignored, ...firstInput } = record.input;
    return await execute({
      ...options,
      record: running,
      input: { ...firstInput, date: record.date, resumeFrom: stage },
      faults: [],
      previous: await getHistory(home, name),
      redriveCount,
    });
  } finally {
    await release();
  }
}
