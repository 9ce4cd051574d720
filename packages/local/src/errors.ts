/** The errors of the local runtime, all rooted at {@link TunelakeError}; each says what to do next. */
import { type ReasonFields, type Reasons, reasonMessage, TunelakeError } from "@tunelake/core/errors";

/** A record in the executions store that cannot be read (edited by hand, or the disk filled up mid-write). */
export class ExecutionRecordCorruptError extends TunelakeError {
  readonly file: string;
  constructor(fields: { file: string; problem: string }, options?: { cause?: unknown }) {
    super(
      `${fields.file} is not valid JSON (${fields.problem}). Restore it, or delete its execution folder to forget that execution.`,
      options,
    );
    this.file = fields.file;
  }
}

/** A query ran before the local catalog exists: the pipeline's crawler step has not run yet. */
export class CatalogNotFoundError extends TunelakeError {
  static override readonly httpStatus = 404;
  readonly catalog: string;
  constructor(fields: { catalog: string }, options?: { cause?: unknown }) {
    super(
      `No tables in the local catalog (${fields.catalog}) yet: run the pipeline first (npm run pipeline), its crawler step registers the tables.`,
      options,
    );
    this.catalog = fields.catalog;
  }
}

/** The service errors the stand-ins answer, each with the message the service gives (its own words, as on AWS). */
export const SERVICE_REASONS = {
  /** Glue refuses a crawler's settings (CreateCrawler/UpdateCrawler). */
  invalidCrawler: (f: { problems: readonly string[] }) => `Glue refuses this crawler: ${f.problems.join("; ")}`,
  /** StartCrawler while the crawler runs; `injected` when the crawler-running fault says so. */
  crawlerRunning: (f: { crawler: string; injected?: boolean }) =>
    `Crawler with name ${f.crawler} has already started${f.injected ? " (injected fault crawler-running)." : ""}`,
  /** StartQueryExecution without a query. */
  queryStringRequired: () => "QueryString is required.",
  /** A query execution id Athena does not know. */
  queryNotFound: (f: { queryExecutionId: string }) => `QueryExecution ${f.queryExecutionId} was not found`,
  /** A `.sync` Athena task whose query failed: Step Functions' cause is the QueryExecution as JSON. */
  queryTaskFailed: (f: { queryExecution: unknown }) => JSON.stringify({ QueryExecution: f.queryExecution }),
} satisfies Reasons;

/** The name the AWS SDK integration gives each service error, which the state machine's `ErrorEquals` matches. */
const SERVICE_ERROR_NAMES: Record<keyof typeof SERVICE_REASONS, string> = {
  invalidCrawler: "Glue.InvalidInputException",
  crawlerRunning: "Glue.CrawlerRunningException",
  queryStringRequired: "Athena.InvalidRequestException",
  queryNotFound: "Athena.InvalidRequestException",
  queryTaskFailed: "States.TaskFailed",
};

/**
 * An error of a local service stand-in (Glue, Athena) named as the AWS SDK integration names service errors, e.g.
 * `Glue.CrawlerRunningException`, so the state machine's `ErrorEquals` matches it as it would on AWS. The definition
 * decides what to retry by that name, so the class itself is terminal.
 */
export class ServiceError extends TunelakeError {
  constructor(fields: ReasonFields<typeof SERVICE_REASONS>);
  /**
   * @deprecated The service's name and words at the throw site: pass a reason's fields. Kept only until
   * packages/local/src/glue.ts, athena.ts and faults.ts do.
   */
  constructor(name: string, message: string);
  constructor(fields: ReasonFields<typeof SERVICE_REASONS> | string, message?: string) {
    if (typeof fields === "string") {
      super(message ?? "");
      this.name = fields;
      return;
    }
    super(reasonMessage(SERVICE_REASONS, fields));
    this.name = SERVICE_ERROR_NAMES[fields.reason];
  }
}

/** `abort` signalled the process running an execution, but the execution did not stop in time. */
export class ExecutionStopTimeoutError extends TunelakeError {
  static override readonly transient = true;
  readonly execution: string;
  constructor(fields: { name: string; pid: number | undefined; waitedMs: number }) {
    super(
      `Execution "${fields.name}" is still RUNNING ${fields.waitedMs} ms after its process (pid ${fields.pid}) was asked to stop. ` +
        `Check that process (it may be busy or stuck), stop it with \`kill ${fields.pid}\`, then look again: tunelake executions`,
    );
    this.execution = fields.name;
  }
}

/** What makes a path no tunelake home, as the message says it. */
const HOME_PROBLEMS = {
  glob: "has a glob character (*, ? or [) in its path, which DuckDB would expand",
  file: "is a file, not a folder",
} as const;

/** The tunelake home cannot be one: a file where a folder belongs, or a path DuckDB would read as a glob. */
export class HomeInvalidError extends TunelakeError {
  static override readonly badInput = true;
  readonly home: string;
  readonly problem: keyof typeof HOME_PROBLEMS;
  constructor(fields: { home: string; problem: keyof typeof HOME_PROBLEMS }) {
    super(
      `The tunelake home ${fields.home} ${HOME_PROBLEMS[fields.problem]}. Pass another folder with --home DIR (or TUNELAKE_HOME).`,
    );
    this.home = fields.home;
    this.problem = fields.problem;
  }
}

/** The local catalog file is not a catalog (edited by hand, or written by something else). */
export class CatalogCorruptError extends TunelakeError {
  static override readonly badInput = true;
  readonly file: string;
  /** `notJson` is the JSON parser's error; undefined: JSON, but not a catalog of tunelake's tables. */
  constructor(fields: { file: string; notJson?: string }, options?: { cause?: unknown }) {
    const problem = fields.notJson !== undefined ? `not JSON: ${fields.notJson}` : "not a catalog of tunelake's tables";
    super(
      `The local catalog ${fields.file} cannot be read (${problem}). Delete it; the next run's crawl writes it again (or run \`tunelake reprocess\` over the dates you have).`,
      options,
    );
    this.file = fields.file;
  }
}
