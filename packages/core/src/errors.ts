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
  /**
   * The HTTP status an API answers with for this error (the console's). Undefined: 400 when the class is `badInput`,
   * else 500.
   */
  static readonly httpStatus: number | undefined = undefined;

  /** Subclasses build `message` from their fields; nothing throws a TunelakeError with prose of its own. */
  protected constructor(message: string, options?: { cause?: unknown }) {
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

  /** The HTTP status for this error, from class data: the class's `httpStatus`, else 400 for bad input, else 500. */
  get httpStatus(): number {
    const type = this.constructor as typeof TunelakeError;
    return type.httpStatus ?? (type.badInput ? 400 : 500);
  }
}

/**
 * The message builders of an error class thrown for several distinct reasons, keyed by reason. Each builds the
 * message (what happened, what to do next) from that reason's fields, so a throw site passes only data.
 */
export type Reasons = Record<string, (fields: never) => string>;

/** The fields of one reason of `R`, tagged with the reason's name: what such a class's constructor takes. */
export type ReasonFields<R extends Reasons> = {
  [K in keyof R & string]: { reason: K } & (Parameters<R[K]> extends [infer F] ? F : unknown);
}[keyof R & string];

/** The message `reasons` builds for `fields`. */
export function reasonMessage<R extends Reasons>(reasons: R, fields: ReasonFields<R>): string {
  return (reasons[fields.reason] as (f: ReasonFields<R>) => string)(fields);
}

/**
 * The base of an error class whose message is one of `reasons`, picked by the `reason` its fields name; the error
 * keeps that `reason`, so callers and tests match it rather than the text. A subclass adds its class data (transient,
 * badInput, httpStatus) and any fields it keeps besides.
 */
export function reasonedError<R extends Reasons>(reasons: R) {
  abstract class ReasonedError extends TunelakeError {
    /** Why, one of the class's reasons. */
    readonly reason: keyof R & string;
    constructor(fields: ReasonFields<R>, options?: { cause?: unknown }) {
      super(reasonMessage(reasons, fields), options);
      this.reason = fields.reason as keyof R & string;
    }
  }
  return ReasonedError;
}

/** A message followed by one indented line per issue. */
export const withIssues = (message: string, issues: readonly string[]): string =>
  issues.length > 0 ? `${message}\n${issues.map((i) => `  - ${i}`).join("\n")}` : message;

/** `is` or `are`, for a list of names. */
const isAre = (items: readonly string[]): string => (items.length > 1 ? "are" : "is");

const CREDENTIALS = "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET";
const DASHBOARD = "developer.spotify.com/dashboard";

/** Why a configuration or environment is invalid, each with the message it builds. */
export const CONFIG_REASONS = {
  /** A base URL variable that is not an http(s) URL. */
  notHttpUrl: (f: { variable: string; value: string; fallback: string }) =>
    `${f.variable}="${f.value}" is not an http(s) URL; unset it to use ${f.fallback}.`,
  /** SPOTIFY_* variables set without the app's credentials. */
  credentialsNotSet: (f: { others: readonly string[] }) =>
    `${f.others.join(", ")} ${isAre(f.others)} set but ${CREDENTIALS} are not: set them too (from ${DASHBOARD}) for Spotify's data, or unset ${f.others.join(", ")} for sample data (or pass --source sample).`,
  /** Credential variables set to nothing. */
  credentialsEmpty: (f: { empty: readonly string[] }) =>
    `${f.empty.join(" and ")} ${isAre(f.empty)} set but empty: give ${f.empty.length > 1 ? "them values" : "it a value"} (from ${DASHBOARD}), or unset ${CREDENTIALS} and run with --source sample for sample data.`,
  /** One credential variable set without the other. */
  credentialsHalfSet: (f: { present: readonly string[]; missing: readonly string[] }) =>
    `${f.present.join(", ")} is set but ${f.missing.join(", ")} is not: set ${f.missing.join(", ")} too (from ${DASHBOARD}), or unset ${f.present.join(", ")} and run with --source sample for sample data.`,
  /** A run against Spotify without the app's credentials; `missing` names the unset ones (default: both). */
  credentialsMissing: (f: { missing?: readonly string[] }) =>
    `Spotify credentials are missing: set ${f.missing?.join(" and ") ?? CREDENTIALS} (from ${DASHBOARD}), or run with --source sample.`,
  /** `tunelake auth` without the app's credentials (auth has no sample mode). */
  authNeedsCredentials: () =>
    `tunelake auth authorizes a user of your Spotify app: set both ${CREDENTIALS} (from ${DASHBOARD}), then run it again. Sample data needs no refresh token: runs without credentials use the sample API's own user.`,
  /** A config that is not a JSON object. */
  configNotObject: (f: { origin: string }) =>
    `${f.origin} is invalid: (root): expected a JSON object like {"sources": {...}}.`,
  /** A config whose entries break the schema; `issues` lists them. */
  configInvalid: (f: { origin: string; issues: readonly string[] }) =>
    withIssues(`${f.origin} is invalid; fix these entries and run again:`, f.issues),
  /** A config file that cannot be read. */
  configUnreadable: (f: { file: string; problem: string }) =>
    `Cannot read config file ${f.file}: ${f.problem}. Pass --config FILE.`,
  /** A config file that is not JSON. */
  configNotJson: (f: { file: string; problem: string }) =>
    `Config file ${f.file} is not valid JSON: ${f.problem}. Fix it (or pass another with --config FILE) and run again.`,
  /** The config a Lambda function was deployed with is not JSON. */
  deployedConfigNotJson: (f: { variable: string }) =>
    `${f.variable} is not valid JSON; redeploy with a valid tunelake.config.json.`,
  /** A variable the stack sets on a function is missing. */
  functionVariableMissing: (f: { variable: string }) =>
    `${f.variable} is not set; the stack sets it on the function, redeploy with \`sst deploy\`.`,
  /** A variable that must be a positive number. */
  notPositiveNumber: (f: { variable: string; value: string; fallback: number }) =>
    `${f.variable}="${f.value}" is not a positive number: fix it or unset it (default ${f.fallback}).`,
  /** A port flag or variable that is not a port number. */
  portNumber: (f: { variable: string; value: string }) =>
    `${f.variable} must be a port number (0-65535), got "${f.value}".`,
  /** A variable that must be one of a few values. */
  notOneOf: (f: { variable: string; value: string; allowed: readonly string[] }) =>
    `${f.variable} must be one of ${f.allowed.join(", ")}, got "${f.value}".`,
  /** A Snowflake identifier (database, schema) with characters Snowflake does not take unquoted. */
  snowflakeIdentifier: (f: { what: string; value: string }) =>
    `Invalid Snowflake ${f.what} "${f.value}": use letters, digits and underscores, starting with a letter or underscore.`,
  /** Not an IAM role ARN. */
  roleArn: (f: { value: string }) => `Invalid role ARN "${f.value}": expected arn:aws:iam::<account>:role/<name>.`,
  /** Not an S3 bucket name. */
  bucketName: (f: { value: string }) =>
    `Invalid bucket name "${f.value}": give the curated bucket's name, without s3://.`,
  /** A stage deployed without the Snowflake feed, asked for its role. */
  stageWithoutSnowflake: (f: { stage: string }) =>
    `Stage "${f.stage}" has no Snowflake role: deploy it with TUNELAKE_SNOWFLAKE=on (\`TUNELAKE_SNOWFLAKE=on npx sst deploy --stage ${f.stage}\`, docs/snowflake.md), or pass --role-arn.`,
  /** A Snowflake on/off flag that is neither. */
  snowflakeFlag: (f: { variable: string; value: string }) =>
    `Invalid ${f.variable}="${f.value}": use "on" or "off" (docs/snowflake.md).`,
  /** Snowflake settings that do not hold; `issues` lists them. */
  snowflakeSettings: (f: { issues: readonly string[] }) =>
    withIssues("Invalid Snowflake setting (docs/snowflake.md):", f.issues),
  /** A Snowflake queue in another region than the stage. */
  snowflakeQueueRegion: (f: { variable: string; queueRegion: string; stageRegion: string }) =>
    `${f.variable} is in ${f.queueRegion} but the stage is in ${f.stageRegion}: S3 notifies only queues of its own region; use a Snowflake account in ${f.stageRegion} or an SNS topic (docs/snowflake.md).`,
  /** Crawler settings Glue would refuse; `issues` lists them. */
  crawlerSettings: (f: { issues: readonly string[] }) =>
    withIssues("Glue would refuse the curated crawler's settings", f.issues),
  /** A stack setting that must be an integer in a range. */
  settingRange: (f: { variable: string; value: string; min: number; max: number }) =>
    `${f.variable}="${f.value}" must be an integer from ${f.min} to ${f.max}; unset it for the default.`,
  /** A schedule that is not an EventBridge schedule expression. */
  schedule: (f: { variable: string; value: string; example: string }) =>
    `${f.variable}="${f.value}" is not an EventBridge schedule expression such as ${f.example} or rate(1 day).`,
  /** A function's memory above the account's Lambda memory quota. */
  memoryQuota: (f: { variable: string; valueMb: number; quotaMb: number; quotaVariable: string }) =>
    `${f.variable}=${f.valueMb} exceeds the account's Lambda memory quota of ${f.quotaMb} MB (new accounts: 3008 MB), so CloudFormation would fail to create the function. Lower it, or have AWS raise the quota (docs/deploy.md "Lambda memory") and set ${f.quotaVariable} to the new quota.`,
  /** The config is too large for a Lambda environment variable. */
  configTooLarge: (f: { file: string; bytes: number }) =>
    `${f.file} is ${f.bytes} bytes minified; Lambda environment variables hold 4 KB in all. Trim the sources.`,
  /** spotify-* faults asked for against the real Spotify API. */
  spotifyFaultWithoutSample: () => "spotify-* faults are injected into the sample API only: add --source sample.",
  /** `--inject-fault` names a fault that does not exist; `issues` lists the known ones. */
  unknownFault: (f: { faults: readonly string[]; issues: readonly string[] }) =>
    withIssues(`Unknown --inject-fault ${f.faults.join(", ")}. Pick one of the known faults:`, f.issues),
  /** A run input's mode that the engine does not know. */
  unknownMode: (f: { mode: string; modes: readonly string[] }) =>
    `Unknown mode "${f.mode}": use ${f.modes[0]} (default) or ${f.modes.slice(1).join(" or ")}.`,
  /** A run input's resumeFrom that is not a resumable stage. */
  notResumableStage: (f: { stage: string; stages: readonly string[] }) =>
    `Cannot resume from "${f.stage}": use one of ${f.stages.join(", ")}.`,
  /** A new run given the name of an existing execution. */
  executionExists: (f: { name: string; status: string }) =>
    `An execution named "${f.name}" already exists (${f.status}). Pick another name, or redrive it: tunelake redrive ${f.name}`,
} satisfies Reasons;

/** Invalid configuration or environment (tunelake.config.json, TUNELAKE_* and SPOTIFY_* variables): fix it and run again. */
export class ConfigError extends reasonedError(CONFIG_REASONS) {
  static override readonly badInput = true;
  /** The entries at fault, one line each, when the reason lists them. */
  readonly issues: readonly string[];
  constructor(fields: ReasonFields<typeof CONFIG_REASONS>, options?: { cause?: unknown }) {
    super(fields, options);
    this.issues = "issues" in fields ? fields.issues : [];
  }
}

/** `2026-11-22T13:00:00.000Z (in about 24 h)`: when a stopped run can be retried. */
export function describeRetryAt(retryAt: Date, seconds: number): string {
  const span =
    seconds >= 3600
      ? `${Math.round(seconds / 3600)} h`
      : seconds >= 60
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds)} s`;
  return `${retryAt.toISOString()} (in about ${span})`;
}

/** A 429 whose Retry-After (seconds) says when to ask again: the shape of the two errors below. Transient. */
export abstract class SpotifyRetryAfterError extends TunelakeError {
  static override readonly transient = true;
  readonly endpoint: string;
  readonly retryAfterSeconds: number;
  protected constructor(message: string, fields: { endpoint: string; retryAfterSeconds: number }) {
    super(message);
    this.endpoint = fields.endpoint;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }
}

/** Spotify answered 429 with a Retry-After we are willing to wait for, on every attempt; retried by the state machine. */
export class SpotifyRateLimitError extends SpotifyRetryAfterError {
  constructor(fields: { endpoint: string; attempts: number; retryAfterSeconds: number }) {
    super(
      `Spotify kept answering 429 on ${fields.endpoint} after ${fields.attempts} attempts; run again in a few minutes or lower extract.concurrency.`,
      fields,
    );
  }
}

/**
 * Spotify asked to wait longer than is worth sleeping in a Lambda (extract.sleepRetryAfterSeconds) but within the
 * ceiling: the extract checkpoints and hands the wait to the state machine's Wait state. Transient.
 */
export class SpotifyRetryLaterError extends SpotifyRetryAfterError {
  constructor(fields: { endpoint: string; retryAfterSeconds: number; sleepRetryAfterSeconds: number }) {
    super(
      `Spotify asked to wait ${fields.retryAfterSeconds}s on ${fields.endpoint} (Retry-After), longer than extract.sleepRetryAfterSeconds=${fields.sleepRetryAfterSeconds}: the extract checkpoints and waits in the state machine.`,
      fields,
    );
  }
}

/** Why a quota bucket stopped, each with the message it builds. */
export const QUOTA_REASONS = {
  /** The config's cap of requests for the run date is spent. */
  capSpent: (f: { bucket: string }) =>
    `The run date has spent the config's cap of requests in Spotify's ${f.bucket} quota bucket (extract.quota.${f.bucket}.maxRequestsPerDay); raise it, or let the next run date continue that bucket's work.`,
  /** Spotify answered QUOTA_EXCEEDED. */
  quotaExceeded: (f: { bucket: string; endpoint: string; retryAt: Date; retryAfterSeconds: number }) =>
    `Spotify says this app's quota is exhausted (QUOTA_EXCEEDED) on ${f.endpoint}. Retry after ${describeRetryAt(f.retryAt, f.retryAfterSeconds)}, e.g. with \`tunelake redrive\`; lower the number of sources or ask Spotify for extended quota if it recurs.`,
  /** Spotify's Retry-After is above the configured ceiling. */
  retryAfterTooLong: (f: {
    bucket: string;
    endpoint: string;
    retryAt: Date;
    retryAfterSeconds: number;
    maxRetryAfterSeconds: number;
  }) =>
    `Spotify asked to wait ${f.retryAfterSeconds}s on ${f.endpoint} (Retry-After), more than extract.maxRetryAfterSeconds=${f.maxRetryAfterSeconds}. Retry after ${describeRetryAt(f.retryAt, f.retryAfterSeconds)}, or raise extract.maxRetryAfterSeconds.`,
} satisfies Reasons;

/**
 * One of Spotify's quota buckets is exhausted (QUOTA_EXCEEDED, a Retry-After above the configured ceiling, or the
 * config's cap for the run date): the requests of that bucket stop; the extract carries that work forward stale and
 * completes (docs/tables.md, "Incremental runs"). `bucket` names the bucket (spotify/quota-buckets.ts).
 */
export class SpotifyQuotaExceededError extends reasonedError(QUOTA_REASONS) {
  readonly bucket: string;
  /** When Spotify says the bucket can be asked again; undefined for the config's own cap. */
  readonly retryAt: Date | undefined;
  constructor(fields: ReasonFields<typeof QUOTA_REASONS>, options?: { cause?: unknown }) {
    super(fields, options);
    this.bucket = fields.bucket;
    this.retryAt = "retryAt" in fields ? fields.retryAt : undefined;
  }
}

/** Why Spotify failed in a way that may pass later, each with the message it builds. */
export const SPOTIFY_SERVER_REASONS = {
  /** The token endpoint failed on every attempt. */
  tokenFailed: (f: { attempts: number; problem: string }) =>
    `Could not get a Spotify access token after ${f.attempts} attempts (${f.problem}); Spotify's accounts service may be down: run again later.`,
  /** A request failed on every attempt (5xx, timeouts, network errors). */
  requestFailed: (f: { endpoint: string; attempts: number; problem: string }) =>
    `Spotify failed on ${f.endpoint} ${f.attempts} times (last: ${f.problem}); it may be down: run again later (tunelake redrive resumes the stage).`,
  /** A page that is not a paging object. */
  notPaging: (f: { url: string; issue: string }) =>
    `Spotify returned a page that is not a paging object on ${f.url} (${f.issue}); run again later.`,
  /** A next link back to a page already read. */
  pagingLoops: (f: { next: string }) =>
    `Spotify's paging loops: the next link ${f.next} leads back to a page already read; run again later.`,
} satisfies Reasons;

/** Spotify answered 5xx, timed out or the connection failed; retried with backoff. */
export class SpotifyServerError extends reasonedError(SPOTIFY_SERVER_REASONS) {
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

const AUTH_AGAIN = "run `tunelake auth` again";

/** Why Spotify refused credentials or an authorization, each with the message it builds. */
export const SPOTIFY_AUTH_REASONS = {
  /** The accounts service answered with a redirect, which would re-send a secret. */
  redirectRefused: (f: { tokenUrl: string; status: number; target: string; resent: string }) =>
    `Spotify's accounts service at ${new URL(f.tokenUrl).origin} answered ${f.status}, a redirect to ${f.target}; tunelake never follows a redirect there, since it would re-send ${f.resent}. Check SPOTIFY_ACCOUNTS_BASE_URL (unset it for https://accounts.spotify.com).`,
  /** The token endpoint refused the app's credentials (or the user's refresh token). */
  tokenRefused: (f: { what: string; status: number; user: boolean }) =>
    `Spotify refused ${f.what} (HTTP ${f.status}). ${
      f.user
        ? "Run `tunelake auth` to get a new SPOTIFY_REFRESH_TOKEN."
        : `Check ${CREDENTIALS} in the app's dashboard, or run with --source sample.`
    }`,
  /** A fresh access token was refused too (401 after renewing). */
  freshTokenRefused: (f: { endpoint: string; user: boolean }) =>
    `Spotify refused a fresh access token on ${f.endpoint} (401). Check the app's credentials${f.user ? " and SPOTIFY_REFRESH_TOKEN (run `tunelake auth`)" : ""}.`,
  /** A user-scoped source without a refresh token. */
  userTokenMissing: () => "This source needs a user token: run `tunelake auth` and set SPOTIFY_REFRESH_TOKEN.",
  /** The authorization redirect's state did not match (another tab, or a forged redirect). */
  wrongState: () => `The authorization redirect had the wrong state; ${AUTH_AGAIN}.`,
  /** The user did not authorize the app. */
  notAuthorized: (f: { error: string | undefined }) =>
    `Spotify did not authorize the app (${f.error ?? "no code"}); ${AUTH_AGAIN} and accept.`,
  /** No authorization arrived before the timeout. */
  authTimedOut: () => `No authorization arrived in time; ${AUTH_AGAIN} and open the URL.`,
  /** The authorization code was refused. */
  codeRefused: (f: { status: number; redirectUri: string }) =>
    `Spotify refused the authorization code (HTTP ${f.status}); check SPOTIFY_CLIENT_ID/SECRET and that ${f.redirectUri} is registered.`,
  /** The token response was not JSON. */
  tokenNotJson: () => `Spotify's token response was not JSON; ${AUTH_AGAIN}.`,
  /** The token response had no refresh token. */
  noRefreshToken: () => `Spotify's token response had no refresh token; ${AUTH_AGAIN}.`,
  /** See {@link SpotifyRefreshTokenRevokedError}. */
  refreshTokenRevoked: (f: { description: string }) =>
    `Spotify no longer accepts SPOTIFY_REFRESH_TOKEN (invalid_grant: ${f.description}): it expired (refresh tokens last 6 months from \`tunelake auth\`) or was revoked. Run \`npx tunelake auth\`, set SPOTIFY_REFRESH_TOKEN to the token it prints (on AWS: \`npx sst secrets set SPOTIFY_REFRESH_TOKEN <token> --stage <stage>\`), then run again.`,
  /** See {@link SpotifyPremiumRequiredError}. */
  premiumRequired: (f: { endpoint: string }) =>
    `Spotify blocks this app (403 on ${f.endpoint}): the Spotify account that owns the app in the developer dashboard no longer has Premium, which development-mode apps need. Renew Premium on that account (or move the app to an account that has it and set ${CREDENTIALS} to its credentials), then run again with \`npx tunelake run\` (a failed run: \`npx tunelake redrive\`).`,
} satisfies Reasons;

/** Credentials were refused (401/400 on the token endpoint), or an authorization did not complete. */
export class SpotifyAuthError extends reasonedError(SPOTIFY_AUTH_REASONS) {}

/**
 * The token endpoint answered `invalid_grant` for the user's refresh token because it expired (Spotify: 6 months
 * after the authorization) or was revoked. Terminal: no retry brings it back; only a new authorization does.
 */
export class SpotifyRefreshTokenRevokedError extends SpotifyAuthError {
  readonly description: string;
  constructor(fields: { description: string }) {
    super({ reason: "refreshTokenRevoked", ...fields });
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
    super({ reason: "premiumRequired", ...fields });
    this.endpoint = fields.endpoint;
  }
}

/** Why Spotify refused a request with no fallback, each with the message it builds. */
export const SPOTIFY_REQUEST_REASONS = {
  /** A `next` link to another host, which would receive the bearer token. */
  foreignLink: (f: { apiOrigin: string; origin: string }) =>
    `Refusing to follow a link outside ${f.apiOrigin}: ${f.origin}. Check SPOTIFY_API_BASE_URL (unset it for Spotify's own URL).`,
  /** Spotify answered a 4xx other than 429; `message` is Spotify's own (redacted). */
  answered: (f: { status: number; endpoint: string; message: string | undefined }) =>
    `Spotify answered ${f.status} on ${f.endpoint}${f.message ? `: ${f.message}` : ""}.`,
} satisfies Reasons;

/** A request Spotify refused for this app that has no fallback (4xx other than 429). */
export class SpotifyRequestError extends reasonedError(SPOTIFY_REQUEST_REASONS) {
  /** The HTTP status: Spotify's, or 400 for a request tunelake refused to send. */
  readonly status: number;
  constructor(fields: ReasonFields<typeof SPOTIFY_REQUEST_REASONS>, options?: { cause?: unknown }) {
    super(fields, options);
    this.status = "status" in fields ? fields.status : 400;
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

/** Why the object store failed, each with the message it builds. */
export const STORAGE_REASONS = {
  /** An operation failed; `problem` is the store's own error, when it gave one. */
  failed: (f: { action: string; key: string; location: string; problem?: string }) =>
    `Could not ${f.action} ${f.key} in ${f.location}${f.problem ? `: ${f.problem}` : ""}. It may pass on a retry; if it does not, check that location.`,
  /** A key that resolves outside the store's root (`..`, an absolute path). */
  keyOutsideRoot: (f: { key: string; location: string }) =>
    `Key "${f.key}" leaves the store root ${f.location}; keys must be relative.`,
} satisfies Reasons;

/** Reading or writing the object store failed in a way that may pass on retry. */
export class StorageError extends reasonedError(STORAGE_REASONS) {
  static override readonly transient = true;
  readonly key: string;
  constructor(fields: ReasonFields<typeof STORAGE_REASONS>, options?: { cause?: unknown }) {
    super(fields, options);
    this.key = fields.key;
  }
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
export class StorageAccessDeniedError extends TunelakeError {
  readonly key: string;
  constructor(fields: { action: string; key: string; location: string }, options?: { cause?: unknown }) {
    super(
      `S3 denied this function to ${fields.action} ${fields.key} in ${fields.location} (403): its role lacks a grant for that folder. Redeploy with a grant from lakeAccess (packages/core/src/lake.ts); retrying will not help.`,
      options,
    );
    this.key = fields.key;
  }
}

/** Why a transform failed, each with the message it builds. */
export const TRANSFORM_REASONS = {
  /** A table could not be built from the raw objects; `problem` is DuckDB's error. */
  buildFailed: (f: {
    entities: readonly string[];
    tables: readonly string[];
    date: string;
    raw: string;
    problem: string;
  }) =>
    `Transform ${f.entities.join(", ")} could not build table ${f.tables.join(", ")} for ${f.date}: ${f.problem}. Check the raw objects under ${f.raw} for that date; rerunning the transform is safe.`,
  /** A transform entity that does not exist. */
  unknownEntity: (f: { entity: string; known: readonly string[] }) =>
    `Unknown transform entity "${f.entity}": use one of ${f.known.join(", ")}.`,
  /** DuckDB did not start; `problem` is its error. */
  duckdbStart: (f: { date: string; problem: string }) =>
    `Could not start DuckDB for the transform of ${f.date}: ${f.problem}. Check memoryLimitMb, threads and that the work directory is writable.`,
} satisfies Reasons;

/** The transform of an entity failed. */
export class TransformError extends reasonedError(TRANSFORM_REASONS) {}

/**
 * Data-quality checks failed for a run date. Raised by the state machine (ValidationFailed), which builds the same
 * message with States.Format; the class is what the definition and the summaries name.
 */
export class ValidationFailedError extends TunelakeError {
  readonly date: string;
  /** The worst checks that failed, `name=rows`. */
  readonly failed: readonly string[];
  constructor(fields: { date: string; failed: readonly string[]; queryExecutionId: string }) {
    super(
      `Data-quality checks failed for run date ${fields.date}. The worst checks that failed, with their failed rows: ${fields.failed.join(" ")}. All results: query execution ${fields.queryExecutionId}. Resuming at Validate would check the same data again: find the failing rows with tunelake query or Athena, fix the transform or the sources, then rebuild the date from raw with: tunelake run --date ${fields.date} --reprocess`,
    );
    this.date = fields.date;
    this.failed = fields.failed;
  }
}

/** No execution of that name in the backend (a local home, or a stage's state machine). */
export class ExecutionNotFoundError extends TunelakeError {
  static override readonly badInput = true;
  static override readonly httpStatus = 404;
  readonly execution: string;
  constructor(fields: { name: string; location: string; listCommand: string }) {
    super(`No execution named "${fields.name}" in ${fields.location}. List them with: ${fields.listCommand}`);
    this.execution = fields.name;
  }
}

/** Why a run of a date is refused while another may still be going, each with what follows "A run of D is still going: ". */
export const ALREADY_RUNNING_REASONS = {
  /** An execution of the date is RUNNING on the stage. */
  runningOnStage: (f: { stage: string }) =>
    `it is still RUNNING on stage ${f.stage}. Wait for it (tunelake executions --stage ${f.stage}) or stop it in the Step Functions console, then run again.`,
  /** A live local process holds the date's lock. */
  runningHere: (f: { pid: number; startedAt: string }) =>
    `it is still running (pid ${f.pid}, started ${f.startedAt}). Wait for it to finish (tunelake executions), or stop it; a lock left by a dead process is cleared automatically.`,
  /** The run belongs to another host; `lock` is its lock file, when the refusal is a new run's. */
  otherHost: (f: { host: string; pid: number | undefined; lock?: string }) =>
    `it runs on host ${f.host} (pid ${f.pid})${f.lock ? `. If that run is gone, delete ${f.lock} and run again.` : ": stop it there."}`,
  /** The date's lock file cannot be read. */
  lockUnreadable: (f: { lock: string }) =>
    `the date is locked by ${f.lock}, which cannot be read. If no run of that date is going, delete it and run again.`,
  /** Another run took the lock at the same moment. */
  lockRace: (f: { lock: string }) => `another run took the lock ${f.lock} at the same time. Try again.`,
  /** Every execution name of the date is used on the stage. */
  namesTakenOnStage: (f: { stage: string }) =>
    `every execution name of the date is taken on stage ${f.stage}. Use another stage or date.`,
  /** Every execution name of the date is used in the local home. */
  namesTakenHere: (f: { executions: string }) =>
    `every execution name of the date is taken in ${f.executions}. Delete old execution folders of that date, then run again.`,
} satisfies Reasons;

/** A second live run of the same date: refused, as Step Functions refuses a duplicate execution name. */
export class ExecutionAlreadyRunningError extends TunelakeError {
  static override readonly httpStatus = 409;
  readonly reason: keyof typeof ALREADY_RUNNING_REASONS;
  readonly date: string;
  /** The execution still running, when known. */
  readonly running: string | undefined;
  constructor(fields: ReasonFields<typeof ALREADY_RUNNING_REASONS> & { date: string; running?: string }) {
    super(
      `A run of ${fields.date} is still going${fields.running ? ` (execution ${fields.running})` : ""}: ${reasonMessage(ALREADY_RUNNING_REASONS, fields)}`,
    );
    this.reason = fields.reason;
    this.date = fields.date;
    this.running = fields.running;
  }
}

/**
 * Why an execution cannot be redriven, each with what follows `Execution "N" cannot be redriven: `. `flag` is what the
 * commands it suggests need (` --stage S` on a stage, nothing locally).
 */
export const NOT_RESUMABLE_REASONS = {
  /** It succeeded or still runs; `redrivable` lists the statuses the backend redrives. */
  status: (f: { name: string; status: string; date: string; redrivable: readonly string[]; flag?: string }) =>
    `it is ${f.status}, and only a ${f.redrivable.join(", ").replace(/, ([^,]*)$/, " or $1")} execution can be redriven. ${
      f.status === "RUNNING"
        ? `Follow it with: npx tunelake history ${f.name}${f.flag ?? ""}`
        : `To run its date again: npx tunelake run --date ${f.date}${f.flag ?? ""}`
    }`,
  /** It failed before any stage ran: on its input (`cause`), or in a stage that is not resumable (`failedIn`). */
  beforeAnyStage: (f: { date: string; cause?: string; failedIn?: string; flag?: string }) =>
    `it failed ${f.cause !== undefined ? `on its input (${f.cause})` : `in ${f.failedIn ?? "an unknown stage"}`}, before any stage ran. Fix the input and start a new run: npx tunelake run --date ${f.date}${f.flag ?? ""}`,
  /** Its history or record names no stage to resume from. */
  noStage: (f: { date: string; source: "history" | "record"; flag?: string }) =>
    `its ${f.source} names no stage to resume. Start a new run: npx tunelake run --date ${f.date}${f.flag ?? ""}`,
} satisfies Reasons;

/** The execution cannot be redriven (it succeeded, still runs, or failed before any stage). */
export class NotResumableError extends TunelakeError {
  static override readonly badInput = true;
  static override readonly httpStatus = 409;
  readonly reason: keyof typeof NOT_RESUMABLE_REASONS;
  readonly execution: string;
  constructor(fields: ReasonFields<typeof NOT_RESUMABLE_REASONS> & { name: string }) {
    super(`Execution "${fields.name}" cannot be redriven: ${reasonMessage(NOT_RESUMABLE_REASONS, fields)}`);
    this.reason = fields.reason;
    this.execution = fields.name;
  }
}

/** Only a RUNNING execution can be stopped. */
export class ExecutionNotRunningError extends TunelakeError {
  static override readonly badInput = true;
  static override readonly httpStatus = 409;
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

/** Why a run's input is wrong, each with the message it builds. */
export const INPUT_REASONS = {
  /** Not a calendar date as YYYY-MM-DD. */
  runDate: (f: { date: string }) =>
    `Invalid run date "${f.date.slice(0, 40)}": use a real calendar date as YYYY-MM-DD, e.g. 2026-11-21.`,
  /** A run date after tomorrow (UTC). */
  futureRunDate: (f: { date: string; tomorrow: string }) =>
    `Invalid run date "${f.date}": it is after tomorrow (${f.tomorrow}, UTC), and Spotify has no data of the future yet. Run today's date or an earlier one.`,
  /** Not a Step Functions execution name. */
  executionName: (f: { name: string }) =>
    `"${f.name.slice(0, 100)}" is not an execution name: use letters, digits, ".", "-" and "_" only (at most 80, e.g. 2026-11-20 or 2026-11-20-2). List them with: tunelake executions`,
  /** A Lambda handler's event that breaks its schema; `issues` lists how. */
  handlerEvent: (f: { handler: string; issues: readonly string[] }) =>
    withIssues(`The ${f.handler} handler got an invalid event; start the run with {"date": "YYYY-MM-DD"}:`, f.issues),
  /** The failure notifier's event is not an execution's end; `issues` lists how. */
  notifierEvent: (f: { issues: readonly string[] }) =>
    withIssues("The notifier got an event that is not an execution's end:", f.issues),
} satisfies Reasons;

/** The run's own input is wrong (a run date, a handler's event, a mode): start it again with a valid one. */
export class InputError extends reasonedError(INPUT_REASONS) {
  static override readonly badInput = true;
  /** The entries at fault, one line each, when the reason lists them. */
  readonly issues: readonly string[];
  constructor(fields: ReasonFields<typeof INPUT_REASONS>) {
    super(fields);
    this.issues = "issues" in fields ? fields.issues : [];
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
  constructor({ issues }: { issues: readonly TrinoSqlIssue[] }) {
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
  static override readonly httpStatus = 504;
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
  constructor(fields: { entity: string; cause: unknown }) {
    const { entity, cause } = fields;
    super(`raw ${entity}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.entity = entity;
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

/** What stopped a unit of work, as the message says it. */
const ABANDONED_BY = {
  sliceEnd: "at the end of its time slice",
} as const;

/** Inside the extract only: the work a time slice stopped, for the next slice to continue (never leaves the extract). */
export class ExtractUnitAbandonedError extends TunelakeError {
  static override readonly transient = true;
  constructor(fields: { by: keyof typeof ABANDONED_BY }) {
    const by = ABANDONED_BY[fields.by];
    super(`A unit of work was stopped ${by}; the next slice continues it from the checkpoint.`);
  }
}

/**
 * tunelake broke one of its own rules (a caller passed what a function never takes): a bug, never bad input, so it
 * is not retried. `what` names the rule that broke.
 */
export class InvariantError extends TunelakeError {
  readonly what: string;
  constructor(fields: { what: string }) {
    super(`Internal error: ${fields.what}. This is a bug in tunelake; report it with the command that led here.`);
    this.what = fields.what;
  }
}

/** A name looked up in one of tunelake's registries (tables, staging models, raw entities) that is not declared there. */
export class UnknownDeclarationError extends TunelakeError {
  readonly kind: string;
  readonly declaration: string;
  constructor(fields: { kind: string; name: string; declaredIn: string }) {
    super(`Unknown ${fields.kind} ${fields.name}: declare it in ${fields.declaredIn}.`);
    this.kind = fields.kind;
    this.declaration = fields.name;
  }
}

/** A parameterized query whose `?` placeholders and ExecutionParameters do not pair up (Athena refuses it too). */
export class ExecutionParametersError extends TunelakeError {
  static override readonly badInput = true;
  readonly placeholders: number;
  readonly parameters: number;
  constructor(fields: { placeholders: number; parameters: number }) {
    super(
      `The query has ${fields.placeholders} ? placeholders but ${fields.parameters} ExecutionParameters were given: pass one parameter per placeholder.`,
    );
    this.placeholders = fields.placeholders;
    this.parameters = fields.parameters;
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
