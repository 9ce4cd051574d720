/**
 * The one mapping from what a backend keeps about an execution (the local store's `execution.json`, or
 * DescribeExecution's answer on a stage) to the {@link Execution} and {@link ExecutionDetails} both `Runs` return.
 */
import type { Execution, ExecutionDetails, ExecutionStatus } from "../ports.ts";
import { FAILURE_STATUSES } from "./failure-alert.ts";

/** The fields of an execution record that both backends keep. */
export interface ExecutionFields {
  name: string;
  executionArn: string;
  stateMachineArn: string;
  status: string;
  /** The run date. */
  date: string;
  startDate: string;
  stopDate?: string;
  /** Absent on a stage when it was never redriven. */
  redriveCount?: number;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

/** The statuses of an execution that ended without succeeding (the failure rule's): it has a stage a redrive resumes at. */
const STOPPED: ReadonlySet<string> = new Set(FAILURE_STATUSES);

/** True when the execution ended without succeeding (so a redrive can resume it, and it has a failed stage). */
export const endedBadly = (status: string): boolean => STOPPED.has(status);

/** An execution as both backends list it. */
export function executionOf(record: ExecutionFields): Execution {
  return {
    name: record.name,
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    status: record.status as ExecutionStatus,
    date: record.date,
    startDate: record.startDate,
    ...(record.stopDate ? { stopDate: record.stopDate } : {}),
    redriveCount: record.redriveCount ?? 0,
  };
}

/**
 * An execution as both backends describe it; `failedStage` (read with workflow/failed-stage.ts) is kept only for an
 * execution that ended badly.
 */
export function executionDetailsOf(record: ExecutionFields, failedStage: string | undefined): ExecutionDetails {
  return {
    ...executionOf(record),
    ...(record.input !== undefined ? { input: record.input } : {}),
    ...(record.output !== undefined ? { output: record.output } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    ...(failedStage && endedBadly(record.status) ? { failedStage } : {}),
  };
}
