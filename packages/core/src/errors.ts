/**
 * Error classes thrown by tunelake. Each sets `name`, which the state machine's `ErrorEquals` matches,
 * says in its message what to do next, and is marked transient (retrying may help) or terminal.
 */
export abstract class TunelakeError extends Error {
  /** True when retrying the same call later may succeed. */
  abstract readonly transient: boolean;
  /** True when the error means the input was wrong (usage, config, a name that does not exist): the CLI exits 2. */
  readonly badInput: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Invalid configuration, environment or input: fix it and run again. */
export class ConfigError extends TunelakeError {
  readonly transient = false;
  override readonly badInput = true;
  constructor(
    message: string,
    readonly issues: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length > 0 ? `${message}\n${issues.map((i) => `  - ${i}`).join("\n")}` : message, options);
  }
}

/** A 429 whose Retry-After (seconds) says when to ask again: the shape of the two errors below. Transient. */
export abstract class SpotifyRetryAfterError extends TunelakeError {
  readonly transient = true;
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

/** The app's quota is exhausted or Spotify asks us to wait longer than the configured ceiling: stop the run. */
export class SpotifyQuotaExceededError extends TunelakeError {
  readonly transient = false;
  constructor(
    message: string,
    readonly retryAt: Date | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Spotify answered 5xx, timed out or the connection failed; retried with backoff. */
export class SpotifyServerError extends TunelakeError {
  readonly transient = true;
}

/**
 * The accounts service or the Web API cannot be reached at all (connection refused, the name does not resolve, no
 * route): a wrong base URL or an offline machine, which retrying for minutes does not fix. Terminal.
 */
export class SpotifyConnectionError extends TunelakeError {
  readonly transient = false;
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
export class SpotifyAuthError extends TunelakeError {
  readonly transient = false;
}

/** A request Spotify refused for this app that has no fallback (4xx other than 429). */
export class SpotifyRequestError extends TunelakeError {
  readonly transient = false;
  constructor(
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Reading or writing the object store failed in a way that may pass on retry. */
export class StorageError extends TunelakeError {
  readonly transient = true;
}

/** The transform of an entity failed. */
export class TransformError extends TunelakeError {
  readonly transient = false;
}

/** Data-quality checks failed for a run date. */
export class ValidationFailedError extends TunelakeError {
  readonly transient = false;
}

/** No execution of that name in the backend (a local home, or a stage's state machine). */
export class ExecutionNotFoundError extends TunelakeError {
  readonly transient = false;
  override readonly badInput = true;
  readonly execution: string;
  constructor(fields: { name: string; location: string; listCommand: string }) {
    super(`No execution named "${fields.name}" in ${fields.location}. List them with: ${fields.listCommand}`);
    this.execution = fields.name;
  }
}

/** A second live run of the same date: refused, as Step Functions refuses a duplicate execution name. */
export class ExecutionAlreadyRunningError extends TunelakeError {
  readonly transient = false;
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
  readonly transient = false;
  override readonly badInput = true;
  readonly execution: string;
  constructor(fields: { name: string; reason: string; next: string }) {
    super(`Execution "${fields.name}" cannot be redriven: ${fields.reason}. ${fields.next}`);
    this.execution = fields.name;
  }
}

/** Only a RUNNING execution can be stopped. */
export class ExecutionNotRunningError extends TunelakeError {
  readonly transient = false;
  override readonly badInput = true;
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

/** Error names the state machine retries as transient. Keep in sync with the classes above. */
export const TRANSIENT_ERROR_NAMES = ["SpotifyRateLimitError", "SpotifyServerError", "StorageError"] as const;

/** Error names that fail the run at once. */
export const TERMINAL_ERROR_NAMES = [
  "ConfigError",
  "SpotifyQuotaExceededError",
  "SpotifyAuthError",
  "SpotifyConnectionError",
  "SpotifyRequestError",
  "TransformError",
  "ValidationFailedError",
] as const;
