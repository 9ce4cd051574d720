/**
 * The ports the CLI (and the console) drive a pipeline through, beside {@link ObjectStore}: `Runs` for executions and
 * `QueryEngine` for the curated tables. Two backends implement them: `@tunelake/local` (the embedded engine, the
 * executions store, DuckDB) and `@tunelake/aws` (Step Functions, Athena, Glue). Every shape here is what both return,
 * so a command is written once and prints the same for a laptop and a stage.
 */
import type { ResumableStage, StateMachineDefinition } from "./workflow/state-names.ts";

export type { ObjectStore } from "./storage/object-store.ts";

/** Step Functions' execution statuses (the local engine uses RUNNING, SUCCEEDED, FAILED and ABORTED). */
export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE";

/** An execution as `tunelake executions --json` lists it, in either backend. */
export interface Execution {
  /** The run date, with `-2`, `-3`... for reruns (see workflow/run-names.ts). */
  name: string;
  executionArn: string;
  stateMachineArn: string;
  status: ExecutionStatus;
  /** The run date. */
  date: string;
  startDate: string;
  stopDate?: string;
  /** Times the execution was redriven (locally, in the same record; on AWS, 0: a redrive is a new execution). */
  redriveCount: number;
}

/** One execution with what DescribeExecution adds, and where a redrive would resume. */
export interface ExecutionDetails extends Execution {
  input?: unknown;
  /** The execution's output when it SUCCEEDED. */
  output?: unknown;
  error?: string;
  cause?: string;
  /** The stage a redrive resumes at (`Prepare` when the input itself was invalid), for a run that did not succeed. */
  failedStage?: string;
}

/** One event in the shape of Step Functions' GetExecutionHistory, `timestamp` as an ISO string. */
export interface HistoryEvent {
  id: number;
  previousEventId?: number;
  timestamp: string;
  type: string;
  [details: string]: unknown;
}

/** What starts a run: Prepare's input. */
export interface StartRunInput {
  /** The run date (default: today, UTC). */
  date?: string;
  mode: "extract" | "reprocess";
  resumeFrom?: ResumableStage;
  /** Start the extract over instead of continuing an unfinished checkpoint (never passed on by a redrive). */
  refetch?: boolean;
}

/** How a caller follows a run it starts or redrives. */
export interface RunObserver {
  /** Each history event as it happens (locally) or as it is polled (AWS), oldest first, each once. */
  onEvent?: (event: HistoryEvent) => void;
  /** Stops following; locally the execution ends ABORTED, on AWS it is stopped (StopExecution). */
  signal?: AbortSignal;
  /** Wait for the execution to end (default true). Locally a run always ends before `start` returns. */
  follow?: boolean;
}

export interface RedriveResult {
  /** The execution that failed. */
  redriveOf: string;
  resumedFrom: ResumableStage;
  /** The execution that resumed it: locally the same one, redriven; on AWS a new execution of the same date. */
  execution: ExecutionDetails;
}

/** What one date of a reprocess came to: skipped (and why), or its execution. */
export type ReprocessOutcome = { date: string; skipped: string } | { date: string; execution: ExecutionDetails };

export interface ReprocessOptions {
  /** Dates rebuilt at once (on a stage: reprocess executions RUNNING at once). */
  concurrency: number;
  /** Stops starting more dates (locally the running ones end ABORTED); the dates not started are skipped. */
  signal?: AbortSignal;
  /** Each date's outcome as soon as it is known (`index` in `dates`; dates can finish out of order). */
  onOutcome?: (index: number, outcome: ReprocessOutcome) => void;
  /** How often a stage's running executions are described while every slot is taken (default 5000 ms). */
  pollMs?: number;
}

/** Executions of the pipeline's state machine. */
export interface Runs {
  readonly backend: "local" | "aws";
  /** Where the executions live, for messages (a folder, or a state machine ARN). */
  readonly location: string;
  /** Starts a run named after its date; a second live run of a date is refused (ExecutionAlreadyRunningError). */
  start(input: StartRunInput, observer?: RunObserver): Promise<ExecutionDetails>;
  /** Every execution, newest first. */
  list(): Promise<Execution[]>;
  /** One execution; an unknown name is ExecutionNotFoundError. */
  describe(name: string): Promise<ExecutionDetails>;
  /** An execution's whole history, oldest event first. */
  history(name: string): Promise<HistoryEvent[]>;
  /**
   * Resumes a failed, timed-out or aborted run at the stage that failed (NotResumableError otherwise), followed as
   * `start` follows a run.
   */
  redrive(name: string, observer?: RunObserver): Promise<RedriveResult>;
  /**
   * Stops a RUNNING execution and waits until it is no longer RUNNING; it ends ABORTED and can be redriven.
   * Anything else is ExecutionNotRunningError. Locally, an execution whose process died is marked FAILED instead.
   */
  abort(name: string): Promise<ExecutionDetails>;
  /**
   * Rebuilds the curated tables of each date from the raw zone, one `reprocess` execution per date, at most
   * `concurrency` at a time. Locally each date runs to its end (a date with no raw data is skipped), named
   * `<date>-reprocess`; on a stage each date is started once a slot is free, and the last ones are not waited for
   * (each execution runs one Transform Lambda per entity, so a year at once would exceed the account's Lambda limit).
   */
  reprocess(dates: readonly string[], options: ReprocessOptions): Promise<ReprocessOutcome[]>;
  /** The state machine definition the executions run, with this backend's resource names (what the console draws). */
  definition(): Promise<StateMachineDefinition>;
  close(): Promise<void>;
}

export interface QueryColumn {
  name: string;
  /** The engine's type name (Athena's, or DuckDB's). */
  type: string;
}

/** Why a result holds fewer rows than the query produced. */
export interface QueryTruncation {
  /** The limit reached: the row cap or the byte cap (rows as JSON). */
  limit: "rows" | "bytes";
  maxRows: number;
  maxBytes: number;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
  /** Bytes the query scanned (Athena; absent locally). */
  bytesScanned?: number;
  /** The Athena query execution id (absent locally). */
  queryExecutionId?: string;
  /** Set when `rows` stops at a limit: the query had more rows than it returns (see query-limits.ts). */
  truncated?: QueryTruncation;
}

export interface TableInfo {
  name: string;
  /** Columns with their catalog types, partition key last. */
  columns: QueryColumn[];
  /** Where its data lives (an S3 URI, or a folder). */
  location?: string;
}

/** SQL over the curated tables, named as in Athena: DuckDB over the local catalog, or Athena on a stage. */
export interface QueryEngine {
  readonly backend: "local" | "aws";
  query(sql: string): Promise<QueryResult>;
  /** The cataloged tables (empty before the first crawl). */
  tables(): Promise<TableInfo[]>;
  close(): Promise<void>;
}
