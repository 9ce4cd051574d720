/** The errors of the local runtime, all rooted at {@link TunelakeError}; each says what to do next. */
import { ConfigError, TunelakeError } from "@tunelake/core/errors";

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

/**
 * StartCrawler while a crawl runs (`Glue.CrawlerRunningException`, as the SDK integration names it): the state machine
 * waits for the running crawl, then starts its own.
 */
export class CrawlerRunningError extends TunelakeError {
  readonly crawler: string;
  constructor(fields: { crawler: string; fault?: string }) {
    super(
      `Crawler with name ${fields.crawler} has already started${fields.fault ? ` (injected fault ${fields.fault})` : ""}: wait until it is READY, then start it again.`,
    );
    this.name = "Glue.CrawlerRunningException";
    this.crawler = fields.crawler;
  }
}

/** Crawler settings Glue refuses (`Glue.InvalidInputException`), as CreateCrawler would, before any crawl. */
export class CrawlerSettingsRefusedError extends TunelakeError {
  readonly problems: readonly string[];
  constructor(fields: { problems: readonly string[] }) {
    super(
      `Glue refuses this crawler: ${fields.problems.join("; ")}. Change the crawler settings to ones Glue accepts.`,
    );
    this.name = "Glue.InvalidInputException";
    this.problems = fields.problems;
  }
}

/** A call the Athena stand-in refuses as Athena does (`Athena.InvalidRequestException`): a missing or unknown input. */
export class AthenaInvalidRequestError extends TunelakeError {
  constructor(fields: { missing: string } | { unknownQueryExecutionId: string }) {
    super(
      "missing" in fields
        ? `${fields.missing} is required.`
        : `QueryExecution ${fields.unknownQueryExecutionId} was not found`,
    );
    this.name = "Athena.InvalidRequestException";
  }
}

/**
 * What the `.sync` Athena integration raises when the query ends FAILED (`States.TaskFailed`): the cause is the
 * QueryExecution as JSON, its StateChangeReason says why.
 */
export class QueryExecutionFailedError extends TunelakeError {
  readonly queryExecution: unknown;
  constructor(fields: { queryExecution: unknown }) {
    super(JSON.stringify({ QueryExecution: fields.queryExecution }));
    this.name = "States.TaskFailed";
    this.queryExecution = fields.queryExecution;
  }
}

/**
 * A Lambda invocation a fault crashed, named as Lambda reports a crashed runtime (`Runtime.ExitError`): the state
 * machine retries it once, and a redrive resumes the stage.
 */
export class InjectedCrashError extends TunelakeError {
  readonly fault: string;
  constructor(fields: { fault: string; stage: string; entity?: string; afterRequests?: number }) {
    super(
      `Injected fault ${fields.fault}: the ${fields.stage} invocation${fields.entity ? ` of ${fields.entity}` : ""} exited` +
        `${fields.afterRequests === undefined ? "" : ` after ${fields.afterRequests} requests`}, as a crashed Lambda runtime does;` +
        ` the state machine retries it once, and a redrive resumes the stage${fields.stage === "Extract" ? " from its checkpoint" : ""}.`,
    );
    this.name = "Runtime.ExitError";
    this.fault = fields.fault;
  }
}

/** `--inject-fault` names a fault the registry (faults/index.ts) does not have; the issues list the known ones. */
export class UnknownFaultError extends ConfigError {
  readonly unknown: readonly string[];
  constructor(fields: { unknown: readonly string[]; known: readonly { name: string; description: string }[] }) {
    super({
      reason: "unknownFault",
      faults: fields.unknown,
      issues: fields.known.map(({ name, description }) => `${name}: ${description}`),
    });
    this.unknown = fields.unknown;
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
