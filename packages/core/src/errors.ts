/**
 * The errors of @tunelake/core, and the root every tunelake error extends. Each class sets `name`, which the state
 * machine's `ErrorEquals` matches, builds its message from its fields (saying what to do next), and carries as class
 * data whether it is transient (the state machine retries it) and whether it means bad input (the CLI exits 2). The
 * lists the definition matches are derived from the classes, never kept by hand.
 */
export abstract class TunelakeError extends Error {
  /** Retrying the same call later may succeed: the state machine's Retry matches it. */
  static readonly transient: boolean = false;
  /** The input was wrong (usage, config, a run date, a name that does not exist): the CLI exits 2, not 1. */
  static readonly badInput: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** True when retrying the same call later may succeed (the class's `transient`). */
  get transient(): boolean {
    return (this.constructor as typeof TunelakeError).transient;
  }

  /** True when the error means the input was wrong (the class's `badInput`). */
  get badInput(): boolean {
    return (this.constructor as typeof TunelakeError).badInput;
  }
}

/** Invalid configuration or environment (tunelake.config.json, TUNELAKE_* and SPOTIFY_* variables): fix it and run again. */
export class ConfigError extends TunelakeError {
  static override readonly badInput = true;
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(withIssues(message, issues), options);
  }
}

/** A message followed by one indented line per issue. */
const withIssues = (message: string, issues: readonly string[]): string =>
  issues.length > 0 ? `${message}\n${issues.map((i) => `  - ${i}`).join("\n")}` : message;

/** A 429 whose Retry-After (seconds) says when to ask again: the shape of the two errors below. Transient. */
export abstract class SpotifyRetryAfterError extends TunelakeError {
  static override readonly transient = true;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Spotify answered 429 with a Retry-After we are willing to wait for; retried. */
export class SpotifyRateLimitError extends SpotifyRetryAfterError {}

/**
 * Spotify asked to wait longer than is worth sleeping in a Lambda (extract.sleepRetryAfterSeconds) but within the
 * ceiling: the extract checkpoints and hands the wait to the state machine's Wait state. Transient.
 */
export class SpotifyRetryLaterError extends SpotifyRetryAfterError {}

/**
 * One of Spotify's quota buckets is exhausted (QUOTA_EXCEEDED, a Retry-After above the configured ceiling, or the
 * config's cap for the run date): the requests of that bucket stop; the extract carries that work forward stale and
 * completes (docs/tables.md, "Incremental runs"). `bucket` names the bucket (spotify/quota-buckets.ts).
 */
export class SpotifyQuotaExceededError extends TunelakeError {
  readonly bucket: string | undefined;
  constructor(
    message: string,
    readonly retryAt: Date | undefined,
    options?: { cause?: unknown; bucket?: string },
  ) {
    super(message, options);
    this.bucket = options?.bucket;
  }
}

/** Spotify answered 5xx, timed out or the connection failed; retried with backoff. */
export class SpotifyServerError extends TunelakeError {
  static override readonly transient = true;
}

/**
 * The accounts service or the Web API cannot be reached at all (connection refused, the name does not resolve, no
 * route): a wrong base URL or an offline machine, which retrying for minutes does not fix. Terminal.
 */
export class SpotifyConnectionError extends TunelakeError {
  readonly url: string;
  readonly code: string;
  constructor(fields: { url: string; code: string; variable: string }, options?: { cause?: unknown }) {
    const what =
      fields.code === "ECONNREFUSED"
        ? "the connection was refused"
        : fields.code === "BAD_PORT"
          ? "fetch never connects to that port, a blocked one"
          : fields.code === "ENOTFOUND" || fields.code === "EAI_AGAIN"
            ? "the host name does not resolve"
            : "there is no route to the host";
    super(
      `Cannot reach Spotify at ${fields.url} (${fields.code}: ${what}). Check ${fields.variable} (unset it for Spotify's own URL) and the network, then run again.`,
      options,
    );
    this.url = fields.url;
    this.code = fields.code;
  }
}

/** Credentials were refused (401/400 on the token endpoint). */
export class SpotifyAuthError extends TunelakeError {}

/**
 * The token endpoint answered `invalid_grant` for the user's refresh token because it expired (Spotify: 6 months
 * after the authorization) or was revoked. Terminal: no retry brings it back; only a new authorization does.
 */
export class SpotifyRefreshTokenRevokedError extends SpotifyAuthError {
  readonly description: string;
  constructor(fields: { description: string }) {
    super(
      `Spotify no longer accepts SPOTIFY_REFRESH_TOKEN (invalid_grant: ${fields.description}): it expired (refresh tokens last 6 months from \`tunelake auth\`) or was revoked. Run \`npx tunelake auth\`, set SPOTIFY_REFRESH_TOKEN to the token it prints (on AWS: \`npx sst secrets set SPOTIFY_REFRESH_TOKEN <token> --stage <stage>\`), then run again.`,
    );
    this.description = fields.description;
  }
}

/**
 * Spotify blocks the app because its owner's Premium subscription lapsed (development-mode apps need the owner to
 * have Premium): every call answers 403 with that message. Terminal: nothing changes until Premium is renewed.
 */
export class SpotifyPremiumRequiredError extends SpotifyAuthError {
  readonly endpoint: string;
  constructor(fields: { endpoint: string }) {
    super(
      `Spotify blocks this app (403 on ${fields.endpoint}): the Spotify account that owns the app in the developer dashboard no longer has Premium, which development-mode apps need. Renew Premium on that account (or move the app to an account that has it and set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET to its credentials), then run again with \`npx tunelake run\` (a failed run: \`npx tunelake redrive\`).`,
    );
    this.endpoint = fields.endpoint;
  }
}

/** A request Spotify refused for this app that has no fallback (4xx other than 429). */
export class SpotifyRequestError extends TunelakeError {
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A Spotify response body passed extract.maxResponseBytes (counted after decompression): a compression bomb, or a
 * server that is not Spotify. Terminal: reading on is what the ceiling prevents, and asking again gets the same body.
 */
export class SpotifyResponseTooLargeError extends TunelakeError {
  readonly url: string;
  readonly limitBytes: number;
  constructor(fields: { url: string; limitBytes: number }) {
    super(
      `The response to GET ${fields.url} is larger than extract.maxResponseBytes=${fields.limitBytes} bytes (counted after decompression); tunelake stopped reading it. If that URL is really Spotify's and the object is genuine, raise extract.maxResponseBytes; otherwise check SPOTIFY_API_BASE_URL.`,
    );
    this.url = fields.url;
    this.limitBytes = fields.limitBytes;
  }
}

/** Reading or writing the object store failed in a way that may pass on retry. */
export class StorageError extends TunelakeError {
  static override readonly transient = true;
}

/**
 * A conditional write lost: the key already existed (`If-None-Match: *`) or changed since it was read (`If-Match`).
 * Another writer holds the key; not retried.
 */
export class PreconditionFailedError extends TunelakeError {
  constructor(
    readonly fields: { key: string; location: string; condition: string },
    options?: { cause?: unknown },
  ) {
    super(
      `Another writer got to ${fields.key} in ${fields.location} first (${fields.condition} did not hold): read it again and decide, do not overwrite it.`,
      options,
    );
  }
}

/**
 * S3 denied the function an object operation (403 AccessDenied): a missing grant, not a passing fault, so it is not
 * retried. The function's grants come from packages/core/src/lake.ts `lakeAccess` (docs/deploy.md "Permissions").
 */
export class StorageAccessDeniedError extends TunelakeError {}

/** The transform of an entity failed. */
export class TransformError extends TunelakeError {}

/** Data-quality checks failed for a run date. */
export class ValidationFailedError extends TunelakeError {}

/** No execution of that name in the backend (a local home, or a stage's state machine). */
export class ExecutionNotFoundError extends TunelakeError {
  static override readonly badInput = true;
  readonly execution: string;
  constructor(fields: { name: string; location: string; listCommand: string }) {
    super(`No execution named "${fields.name}" in ${fields.location}. List them with: ${fields.listCommand}`);
    this.execution = fields.name;
  }
}

/** A second live run of the same date: refused, as Step Functions refuses a duplicate execution name. */
export class ExecutionAlreadyRunningError extends TunelakeError {
  readonly date: string;
  /** The execution still running, when known. */
  readonly running: string | undefined;
  constructor(fields: { date: string; running?: string; detail: string }) {
    super(
      `A run of ${fields.date} is still going${fields.running ? ` (execution ${fields.running})` : ""}: ${fields.detail}`,
    );
    this.date = fields.date;
    this.running = fields.running;
  }
}

/** The execution cannot be redriven (it succeeded, still runs, or failed before any stage). */
export class NotResumableError extends TunelakeError {
  static override readonly badInput = true;
  readonly execution: string;
  constructor(fields: { name: string; reason: string; next: string }) {
    super(`Execution "${fields.name}" cannot be redriven: ${fields.reason}. ${fields.next}`);
    this.execution = fields.name;
  }
}

/** Only a RUNNING execution can be stopped. */
export class ExecutionNotRunningError extends TunelakeError {
  static override readonly badInput = true;
  readonly execution: string;
  readonly status: string;
  constructor(fields: { name: string; status: string }) {
    super(
      `Execution "${fields.name}" is ${fields.status}, not RUNNING: there is nothing to stop.${fields.status === "SUCCEEDED" ? "" : ` Resume it with: tunelake redrive ${fields.name}`}`,
    );
    this.execution = fields.name;
    this.status = fields.status;
  }
}

/** The run's own input is wrong (a run date, a handler's event, a mode): start it again with a valid one. */
export class InputError extends TunelakeError {
  static override readonly badInput = true;
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(withIssues(message, issues));
  }
}

/** A date's manifest in the raw zone is not JSON: the day cannot be read until it is restored or extracted again. */
export class ManifestCorruptError extends TunelakeError {
  static override readonly badInput = true;
  readonly file: string;
  constructor(fields: { file: string; date: string; problem: string }, options?: { cause?: unknown }) {
    super(
      `The manifest ${fields.file} is not valid JSON (${fields.problem}). Restore it, or extract the date again: tunelake run --date ${fields.date} --refetch.`,
      options,
    );
    this.file = fields.file;
  }
}

/** Transform was asked for a date the raw zone has no manifest of: it was never extracted (or its raw was removed). */
export class NoRawDataError extends TunelakeError {
  static override readonly badInput = true;
  readonly date: string;
  constructor(fields: { date: string; location: string; manifest: string }) {
    super(
      `No raw data for run date ${fields.date} in ${fields.location} (no ${fields.manifest}): extract it first with \`tunelake run --date ${fields.date}\` (without --reprocess), or check the date.`,
    );
    this.date = fields.date;
  }
}

/**
 * Raised by the state machine (ExtractSliceLimitReached), never thrown by code: the extract was still not done after
 * the slice limit. The checkpoint keeps what is done, so a redrive continues it.
 */
export class ExtractSliceLimitError extends TunelakeError {
  constructor(fields: { date: string; slices: number }) {
    super(
      `The extract of ${fields.date} was still not done after ${fields.slices} time slices. Its checkpoint keeps what is done: redrive to continue it, or lower the number of sources.`,
    );
  }
}

/** Raised by the state machine (CrawlerFailed): the Glue crawler's last crawl did not succeed. */
export class CrawlerFailedError extends TunelakeError {
  constructor(fields: { crawler: string; status: string }) {
    super(
      `The Glue crawler ${fields.crawler} finished its last crawl with status ${fields.status}. Read its log, fix the cause, then redrive: the run resumes at StartCrawler.`,
    );
  }
}

/** Raised by the state machine (CrawlerPollLimitReached): the crawler was still running after the poll limit. */
export class CrawlerTimeoutError extends TunelakeError {
  constructor(fields: { polls: number; pollSeconds: number }) {
    super(
      `The Glue crawler was still not READY after ${fields.polls} polls ${fields.pollSeconds} s apart. Check it in the Glue console, then redrive: the run resumes at StartCrawler.`,
    );
  }
}

/** One place where SQL meant for Athena does not parse with the Trino grammar. */
export interface TrinoSqlIssue {
  line: number;
  column: number;
  message: string;
}

/** The SQL is not valid Athena (Trino) SQL. Terminal: fix the SQL. */
export class TrinoSqlError extends TunelakeError {
  readonly issues: readonly TrinoSqlIssue[];
  constructor(issues: readonly TrinoSqlIssue[]) {
    super(
      `Not valid Athena (Trino) SQL: ${issues.map((i) => `line ${i.line}:${i.column} ${i.message}`).join("; ")}. Use only SQL that both Trino and DuckDB run (see packages/core/src/checks/checks-sql.ts).`,
    );
    this.issues = issues;
  }
}

/** The rules of the read-only query path, named in each {@link QueryRefusedError}. */
export const QUERY_RULES = {
  oneSelect: "a query must be exactly one SELECT (or WITH … SELECT) statement, read-only",
  curatedOnly: "a query reads the curated tables only (no file outside the curated zone, no network)",
} as const;

/**
 * SQL the read-only query path (`tunelake query`, the console's query box) does not run: anything but exactly one
 * SELECT (or WITH … SELECT) statement, as the engine's own parser reads it, or a SELECT that reaches outside the
 * curated tables. Bad input: nothing was written, and the CLI exits 2, the console answers 400.
 */
export class QueryRefusedError extends TunelakeError {
  static override readonly badInput = true;
  /** The rule broken (one of {@link QUERY_RULES}). */
  readonly rule: string;
  /** What was given instead, e.g. `2 statements`, `COPY (not a query)`. */
  readonly found: string;
  constructor(fields: { rule?: string; found: string }, options?: { cause?: unknown }) {
    const rule = fields.rule ?? QUERY_RULES.oneSelect;
    super(`Refused: ${rule}; got ${fields.found}. Run a single SELECT over the curated tables.`, options);
    this.rule = rule;
    this.found = fields.found;
  }
}

/** A query ran longer than its limit and was interrupted; nothing else was affected. */
export class QueryTimeoutError extends TunelakeError {
  readonly timeoutMs: number;
  constructor(fields: { timeoutMs: number }, options?: { cause?: unknown }) {
    super(
      `The query did not finish in ${fields.timeoutMs / 1000} s and was interrupted: filter on dt, aggregate, or add a LIMIT.`,
      options,
    );
    this.timeoutMs = fields.timeoutMs;
  }
}

/** A raw entity's files could not be read; the transform names the tables that needed them. */
export class RawLoadError extends TunelakeError {
  readonly entity: string;
  constructor(entity: string, cause: unknown) {
    super(`raw ${entity}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.entity = entity;
  }
}

/** The extract was called without the app's Spotify credentials (checked before any request). */
export class ExtractCredentialsMissingError extends ConfigError {
  readonly missing: readonly string[];
  constructor(fields: { missing: readonly ("SPOTIFY_CLIENT_ID" | "SPOTIFY_CLIENT_SECRET")[] }) {
    super(
      `Spotify credentials are missing: set ${fields.missing.join(" and ")} (from developer.spotify.com/dashboard), or run with --source sample.`,
    );
    this.missing = fields.missing;
  }
}

/** `tunelake plan` asked its client for a request: planning reads only the lake, so this is a bug to report. */
export class PlanSentRequestError extends TunelakeError {
  constructor(fields: { url: string }) {
    super(
      `tunelake plan tried to send a request (GET ${fields.url.slice(0, 200)}); a plan reads only the lake and sends none. Report this as a bug with the command you ran.`,
    );
  }
}

/** Inside the extract only: the work a time slice stopped, for the next slice to continue (never leaves the extract). */
export class ExtractUnitAbandonedError extends TunelakeError {
  static override readonly transient = true;
  constructor(reason: string) {
    super(`A unit of work was stopped ${reason}; the next slice continues it from the checkpoint.`);
  }
}

/**
 * Every error a Lambda handler throws or the state machine raises itself: what the definition's Retry and Catch
 * match by name. The two lists below are derived from the classes' `transient`.
 */
export const STATE_MACHINE_ERRORS = [
  ConfigError,
  InputError,
  SpotifyRateLimitError,
  SpotifyRetryLaterError,
  SpotifyServerError,
  SpotifyQuotaExceededError,
  SpotifyAuthError,
  SpotifyRefreshTokenRevokedError,
  SpotifyPremiumRequiredError,
  SpotifyConnectionError,
  SpotifyRequestError,
  SpotifyResponseTooLargeError,
  StorageError,
  TransformError,
  NoRawDataError,
  ManifestCorruptError,
  ValidationFailedError,
  ExtractSliceLimitError,
  CrawlerFailedError,
  CrawlerTimeoutError,
] as const;

/** Error names the state machine retries as transient. */
export const TRANSIENT_ERROR_NAMES: readonly string[] = STATE_MACHINE_ERRORS.filter((c) => c.transient).map(
  (c) => c.name,
);

/** Error names that fail the run at once. */
export const TERMINAL_ERROR_NAMES: readonly string[] = STATE_MACHINE_ERRORS.filter((c) => !c.transient).map(
  (c) => c.name,
);
