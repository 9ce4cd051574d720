/**
 * Runs on a deployed stage, like the local executions store: start a run named after its date (`<date>-2`... for
 * reruns, refusing a second live run of a date), list executions, read a history, and resume a failed run.
 */

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type ExecutionListItem,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from "@aws-sdk/client-sfn";
import { ExecutionAlreadyRunningError, ExecutionNotFoundError, NotResumableError } from "@tunelake/core/errors";
import { assertRunDate, todayUtc } from "@tunelake/core/lake";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { NOTIFIED_ERROR_PREFIX } from "@tunelake/core/workflow/definition";
import type { ExecutionFields } from "@tunelake/core/workflow/execution-record";
import { failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
import { nextRunName, runDateOfName } from "@tunelake/core/workflow/run-names";
import type { ResumableStage } from "@tunelake/core/workflow/state-names";
import { type CloudStage, type CloudStageOptions, withStage } from "./cloud-stage.ts";

/** The caught error's name, as the local engine shows it: the notified marker is only for the failure notifier. */
const shownError = (error: string): string =>
  error.startsWith(NOTIFIED_ERROR_PREFIX) ? error.slice(NOTIFIED_ERROR_PREFIX.length) : error;

/** An execution as `tunelake executions --stage S` shows it (the run date from the name, else the start date). */
export type CloudExecution = Omit<ExecutionFields, "input" | "output" | "error" | "cause">;

/** DescribeExecution's answer, with input and output parsed. */
export type CloudExecutionDetails = ExecutionFields;

/** One GetExecutionHistory event with `timestamp` as an ISO string (the local history's shape). */
export type CloudHistoryEvent = Omit<HistoryEvent, "timestamp"> & { timestamp: string };

export interface CloudStartRunOptions extends CloudStageOptions {
  /** Run date `YYYY-MM-DD` (default: today, UTC). */
  date?: string;
  /** Rebuild curated from raw (skip Extract). */
  reprocess?: boolean;
  /** Start at this stage (what `redrive` does). */
  resumeFrom?: ResumableStage;
  /** Start the extract over instead of continuing an unfinished checkpoint (never passed on by redrive). */
  refetch?: boolean;
}

export interface CloudRedriveResult {
  /** The failed execution. */
  redriveOf: string;
  resumedFrom: ResumableStage;
  execution: CloudExecutionDetails;
}

const iso = (date: Date | undefined): string | undefined => date?.toISOString();

const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;

function toExecution(item: ExecutionListItem, stateMachineArn: string): CloudExecution {
  const name = item.name ?? "";
  const startDate = iso(item.startDate) ?? "";
  return {
    name,
    executionArn: item.executionArn ?? executionArnOf(stateMachineArn, name),
    stateMachineArn: item.stateMachineArn ?? stateMachineArn,
    status: item.status ?? "UNKNOWN",
    date: runDateOfName(name) ?? startDate.slice(0, 10),
    startDate,
    ...(item.stopDate ? { stopDate: iso(item.stopDate) } : {}),
    ...(item.redriveCount !== undefined ? { redriveCount: item.redriveCount } : {}),
  };
}

async function listAll(sfn: SFNClient, stateMachineArn: string): Promise<CloudExecution[]> {
  const out: CloudExecution[] = [];
  const pages = paginateListExecutions({ client: sfn }, { stateMachineArn });
  for await (const page of pages)
    for (const item of page.executions ?? []) out.push(toExecution(item, stateMachineArn));
  return out.sort((a, b) => b.startDate.localeCompare(a.startDate) || b.name.localeCompare(a.name));
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function describe(
  sfn: SFNClient,
  where: { stateMachineArn: string; stage?: string },
  name: string,
  executionArn = executionArnOf(where.stateMachineArn, name),
): Promise<CloudExecutionDetails> {
  const { stateMachineArn } = where;
  let d: DescribeExecutionCommandOutput;
  try {
    d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist || (error as Error).name === "ExecutionDoesNotExist") {
      throw new ExecutionNotFoundError({
        name,
        location: stateMachineArn,
        listCommand: `tunelake executions --stage ${where.stage ?? "<stage>"}`,
      });
    }
    throw error;
  }
  const input = parseJson(d.input) as { date?: unknown } | undefined;
  const summary = toExecution(
    {
      name: d.name ?? name,
      executionArn,
      stateMachineArn,
      status: d.status,
      startDate: d.startDate,
      stopDate: d.stopDate,
      redriveCount: d.redriveCount,
    },
    stateMachineArn,
  );
  return {
    ...summary,
    date: typeof input?.date === "string" ? input.date : summary.date,
    input,
    ...(d.output !== undefined ? { output: parseJson(d.output) } : {}),
    ...(d.error !== undefined ? { error: shownError(d.error) } : {}),
    ...(d.cause !== undefined ? { cause: d.cause } : {}),
  };
}

/** The run date a RUNNING execution works on: its name, else its input's `date`, else its start date. */
async function runningDate(sfn: SFNClient, execution: CloudExecution): Promise<string> {
  if (runDateOfName(execution.name)) return execution.date;
  return (await describe(sfn, execution, execution.name, execution.executionArn)).date;
}

/**
 * Starts a run of the stage's state machine named after its date (`<date>`, then `<date>-2`...), with the input
 * Prepare expects. Refuses while another execution of that date is RUNNING.
 */
export async function cloudStartRun(options: CloudStartRunOptions): Promise<CloudExecutionDetails> {
  const date = assertRunDate(options.date ?? todayUtc());
  return withStage(options, (stage) => startRun(stage, { ...options, date }));
}

/** {@link cloudStartRun} on an opened stage, for a checked run date. */
async function startRun(
  { outputs, clients: { sfn } }: CloudStage,
  options: { date: string; reprocess?: boolean; resumeFrom?: ResumableStage; refetch?: boolean },
): Promise<CloudExecutionDetails> {
  const { date } = options;
  const stateMachineArn = outputs.stateMachineArn;
  const executions = await listAll(sfn, stateMachineArn);
  for (const running of executions.filter((e) => e.status === "RUNNING")) {
    if ((await runningDate(sfn, running)) === date) {
      throw new ExecutionAlreadyRunningError({
        date,
        running: running.name,
        reason: "runningOnStage",
        stage: outputs.stage,
      });
    }
  }
  const input = {
    date,
    mode: options.reprocess ? "reprocess" : "extract",
    ...(options.resumeFrom ? { resumeFrom: options.resumeFrom } : {}),
    ...(options.refetch ? { refetch: true } : {}),
  };
  const taken = new Set(executions.map((e) => e.name));
  for (let name = nextRunName(date, taken); name; name = nextRunName(date, taken)) {
    try {
      await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    } catch (error) {
      // Someone else took the name between our list and our start: try the next one.
      if (error instanceof ExecutionAlreadyExists || (error as Error).name === "ExecutionAlreadyExists") {
        taken.add(name);
        continue;
      }
      throw error;
    }
    return describe(sfn, outputs, name);
  }
  throw new ExecutionAlreadyRunningError({
    date,
    reason: "namesTakenOnStage",
    stage: outputs.stage,
  });
}

/** Executions of the stage's state machine, newest first. */
export async function cloudListExecutions(options: CloudStageOptions): Promise<CloudExecution[]> {
  return withStage(options, ({ outputs, clients }) => listAll(clients.sfn, outputs.stateMachineArn));
}

/** One execution with its input, output, error and cause. */
export async function cloudDescribeExecution(
  options: CloudStageOptions & { name: string },
): Promise<CloudExecutionDetails> {
  return withStage(options, ({ outputs, clients }) => describe(clients.sfn, outputs, options.name));
}

/** Every history event of an execution known to exist (see {@link history}). */
async function historyEvents(sfn: SFNClient, stateMachineArn: string, name: string): Promise<CloudHistoryEvent[]> {
  const events: CloudHistoryEvent[] = [];
  const pages = paginateGetExecutionHistory(
    { client: sfn, pageSize: 1000 },
    { executionArn: executionArnOf(stateMachineArn, name), includeExecutionData: true },
  );
  for await (const page of pages) {
    for (const event of page.events ?? []) events.push({ ...event, timestamp: iso(event.timestamp) ?? "" });
  }
  return events;
}

/** The history of an execution the caller has just described (no second DescribeExecution), oldest event first. */
export async function cloudHistoryOfDescribed(
  options: CloudStageOptions & { name: string },
): Promise<CloudHistoryEvent[]> {
  return withStage(options, ({ outputs, clients }) =>
    historyEvents(clients.sfn, outputs.stateMachineArn, options.name),
  );
}

/** An execution's history; an unknown name fails as DescribeExecution does. */
async function history(sfn: SFNClient, outputs: StageOutputs, name: string): Promise<CloudHistoryEvent[]> {
  await describe(sfn, outputs, name);
  return historyEvents(sfn, outputs.stateMachineArn, name);
}

/** An execution's whole history (every page of GetExecutionHistory), oldest event first. */
export async function cloudHistory(options: CloudStageOptions & { name: string }): Promise<CloudHistoryEvent[]> {
  return withStage(options, ({ outputs, clients }) => history(clients.sfn, outputs, options.name));
}

/**
 * Resumes a failed, timed-out or aborted run at the stage that failed: a new execution of the same date with
 * `resumeFrom` (AWS's own RedriveExecution would restart at the Fail state the Catch led to).
 */
export async function cloudRedrive(options: CloudStageOptions & { name: string }): Promise<CloudRedriveResult> {
  return withStage(options, async (stage) => {
    const { sfn } = stage.clients;
    const { stateMachineArn } = stage.outputs;
    const failed = await describe(sfn, stage.outputs, options.name);
    if (failed.status === "RUNNING" || failed.status === "SUCCEEDED") {
      throw new NotResumableError({
        name: options.name,
        reason: "status",
        status: failed.status,
        date: failed.date,
        redrivable: ["FAILED", "TIMED_OUT", "ABORTED"],
        flag: ` --stage ${stage.outputs.stage}`,
      });
    }
    const found = failedStageFromHistory(await historyEvents(sfn, stateMachineArn, options.name));
    const flag = ` --stage ${stage.outputs.stage}`;
    if (!found) {
      throw new NotResumableError({
        name: options.name,
        reason: "noStage",
        source: "history",
        date: failed.date,
        flag,
      });
    }
    if (found.stage === "Prepare") {
      const cause = failed.cause ?? failed.error ?? "invalid input";
      throw new NotResumableError({ name: options.name, reason: "beforeAnyStage", cause, date: failed.date, flag });
    }
    const execution = await startRun(stage, {
      date: assertRunDate(found.date ?? failed.date),
      reprocess: found.mode === "reprocess",
      resumeFrom: found.stage,
    });
    return { redriveOf: options.name, resumedFrom: found.stage, execution };
  });
}

/** Stops an execution (StopExecution): it ends ABORTED. An unknown name fails as DescribeExecution does. */
export async function cloudStopExecution(options: CloudStageOptions & { name: string; cause?: string }): Promise<void> {
  return withStage(options, async ({ outputs, clients: { sfn } }) => {
    const { executionArn } = await describe(sfn, outputs, options.name);
    await sfn.send(new StopExecutionCommand({ executionArn, ...(options.cause ? { cause: options.cause } : {}) }));
  });
}
