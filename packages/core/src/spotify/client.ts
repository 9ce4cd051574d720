/**
 * A small Spotify Web API client over the bounded HTTP transport of bounded-body.ts: client-credentials and
 * refresh-token tokens (renewed before they expire and once more on 401), bounded concurrency, Retry-After honoured up
 * to a ceiling, backoff with jitter for 5xx, network errors, timeouts and malformed bodies. Errors are tunelake's named
 * errors so the state machine can match them. Secrets and tokens never appear in messages or logs: only endpoints,
 * statuses and Spotify's own messages.
 */
import { channel } from "node:diagnostics_channel";
import { setImmediate as nextTurn } from "node:timers/promises";
import * as v from "valibot";
import type { SpotifyEnv } from "../config/env.ts";
import {
  SpotifyAuthError,
  SpotifyConnectionError,
  SpotifyQuotaExceededError,
  SpotifyRateLimitError,
  SpotifyRequestError,
  SpotifyResponseTooLargeError,
  SpotifyRetryLaterError,
  SpotifyServerError,
} from "../errors.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { redactSecrets, rememberSecret } from "../redact.ts";
import { jitteredBackoff, retry, verdict } from "../resilience.ts";
import { type BoundedResponse, boundedRequest, DEFAULT_MAX_RESPONSE_BYTES } from "./bounded-body.ts";
import { spotifyErrorBody, terminalSpotifyError } from "./http-errors.ts";
import { Limiter } from "./limiter.ts";
import { type QuotaBucket, quotaBucketOf } from "./quota-buckets.ts";
import { TokenResponseSchema } from "./schemas.ts";

export interface SpotifyClientOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Retries of one request on 429, 5xx, network errors, timeouts and malformed bodies (default 6). */
  maxRetries?: number;
  /** The longest Retry-After the client waits; above it, SpotifyQuotaExceededError (default 120). */
  maxRetryAfterSeconds?: number;
  /**
   * When set, a Retry-After longer than this (and within maxRetryAfterSeconds) is not slept through: the request fails
   * with SpotifyRetryLaterError so that a time-sliced extract can hand the wait to the state machine.
   */
  sleepRetryAfterSeconds?: number;
  /** Per-attempt timeout (default 30). */
  requestTimeoutSeconds?: number;
  /** First backoff delay; doubles per retry, with jitter (default 500). */
  backoffBaseMs?: number;
  /** Ceiling of one response body after decompression; above it, SpotifyResponseTooLargeError (default 16 MiB). */
  maxResponseBytes?: number;
  /** Backoff ceiling (default 30 000). */
  backoffMaxMs?: number;
  logger?: Logger;
  now?: () => Date;
  /**
   * Requests each quota bucket may still send (the config's per-day cap less what the run date already spent); a
   * bucket at 0 fails its requests with SpotifyQuotaExceededError without sending them.
   */
  bucketBudgets?: Partial<Record<QuotaBucket, number>>;
}

export interface SpotifyClientStats {
  /** API requests sent (attempts, including retries; token requests are counted apart). */
  requests: number;
  /** API requests by endpoint, e.g. `GET /artists/{id}`. */
  byEndpoint: Record<string, number>;
  /** API requests by quota bucket (spotify/quota-buckets.ts). */
  byBucket: Partial<Record<QuotaBucket, number>>;
  /** Attempts that were repeated after 429, 5xx, network errors, timeouts, malformed bodies or an expired token. */
  retries: number;
  tokenRequests: number;
}

/** What `get` answers instead of a body when Spotify says 304 Not Modified to an `If-None-Match`. */
export const NOT_MODIFIED: unique symbol = Symbol("304 Not Modified");

export interface GetOptions {
  /** Use the user's token (user-scoped endpoints). */
  user?: boolean;
  /** Sends `If-None-Match` with this ETag: an unchanged resource answers {@link NOT_MODIFIED}, without a body. */
  ifNoneMatch?: string;
  /** Receives the response's `ETag`, when it has one. */
  onEtag?: (etag: string) => void;
}

export interface SpotifyClient {
  /** True when a refresh token is configured (user-scoped sources are possible). */
  readonly hasUserToken: boolean;
  /** GETs an API path (`/artists/{id}`) or an absolute `next` link and returns the parsed JSON. */
  get(pathOrUrl: string, options?: GetOptions): Promise<unknown>;
  stats(): SpotifyClientStats;
}

type Attempt = { ok: true; response: BoundedResponse } | { ok: false; error: Error };

interface CachedToken {
  value: string;
  renewAt: number;
}

/**
 * Every API attempt is published on this diagnostics channel (`{ endpoint, status }`, status 0 for a network error):
 * the CLI's progress bar subscribes to it, so progress needs no plumbing through the extract code, and nothing is
 * published when nobody listens.
 */
export const SPOTIFY_REQUEST_CHANNEL = "tunelake:spotify-request";
export interface SpotifyRequestMessage {
  endpoint: string;
  status: number;
}
const requestChannel = channel(SPOTIFY_REQUEST_CHANNEL);

/**
 * Error codes that mean the host cannot be reached at all (nothing listens, the name does not resolve, no route):
 * waiting minutes will not fix a wrong base URL or a machine that is offline, so these fail the run in seconds.
 */
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Quick retries of an unreachable host before giving up: rides out a blip, stays well within 10 s. */
const UNREACHABLE_RETRIES = 2;
const UNREACHABLE_BACKOFF_MS = 500;

/**
 * The code of a connection-level failure (on the error or on its `cause`; a name with several addresses fails with an
 * AggregateError whose first error has it), if it is one of {@link UNREACHABLE_CODES}.
 */
export function unreachableCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && UNREACHABLE_CODES.has(code)) return code;
    const inner = (e as { errors?: unknown[] }).errors?.[0] as { code?: unknown } | undefined;
    if (typeof inner?.code === "string" && UNREACHABLE_CODES.has(inner.code)) return inner.code;
  }
  return undefined;
}

/** `GET /artists/{id}/albums` for a URL under the API base: ids and the query string are left out. */
export function endpointOf(apiBaseUrl: string, url: string): string {
  const base = new URL(apiBaseUrl).pathname.replace(/\/+$/, "");
  const path = new URL(url).pathname;
  const rel = path.startsWith(base) ? path.slice(base.length) : path;
  return `GET ${rel.replace(/[0-9A-Za-z]{22}/g, "{id}")}`;
}

/** The error of a redirect from the accounts service, which is refused, naming where it pointed (its origin only). */
export function redirectRefused(
  tokenUrl: string,
  response: Pick<BoundedResponse, "status" | "headers">,
  resent: string,
): SpotifyAuthError {
  const location = response.headers.get("location");
  let target = "nowhere";
  try {
    if (location) target = new URL(location, tokenUrl).origin;
  } catch {
    target = "an invalid URL";
  }
  return new SpotifyAuthError({ reason: "redirectRefused", tokenUrl, status: response.status, target, resent });
}

/** Creates a client for the API and accounts base URLs in `env`. */
export function createSpotifyClient(env: SpotifyEnv, options: SpotifyClientOptions = {}): SpotifyClient {
  const maxRetries = options.maxRetries ?? 6;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 120;
  const timeoutMs = (options.requestTimeoutSeconds ?? 30) * 1000;
  const backoffBase = options.backoffBaseMs ?? 500;
  const backoffMax = options.backoffMaxMs ?? 30_000;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // Secrets that may come from somewhere other than process.env (SST secrets in Lambda) are redacted all the same.
  rememberSecret(env.clientSecret);
  rememberSecret(env.refreshToken);
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const limiter = new Limiter(options.concurrency ?? 8);
  const apiOrigin = new URL(env.apiBaseUrl).origin;
  const stats: SpotifyClientStats = { requests: 0, byEndpoint: {}, byBucket: {}, retries: 0, tokenRequests: 0 };
  /** Buckets Spotify (or the config's cap) says are spent: their requests fail at once, the others go on. */
  const exhausted = new Map<QuotaBucket, SpotifyQuotaExceededError>();
  const stopBucket = (bucket: QuotaBucket, error: SpotifyQuotaExceededError): never => {
    if (!exhausted.has(bucket)) exhausted.set(bucket, error);
    throw error;
  };
  const budgets = options.bucketBudgets ?? {};
  let refreshToken = env.refreshToken;
  const tokens: { app?: Promise<CachedToken>; user?: Promise<CachedToken> } = {};
  const pendingTokens = new Set<Promise<CachedToken>>();
  /** Set once Spotify says stop (quota, refused credentials): later calls fail at once instead of asking again. */
  let stopped: Error | undefined;
  const stop = (error: SpotifyQuotaExceededError | SpotifyAuthError | SpotifyConnectionError): never => {
    stopped ??= error;
    throw error;
  };

  const backoff = (attempt: number) => jitteredBackoff(backoffBase, backoffMax, attempt);
  const countRetry = () => {
    stats.retries++;
  };

  const requestToken = async (user: boolean): Promise<CachedToken> => {
    const body = new URLSearchParams(
      user ? { grant_type: "refresh_token", refresh_token: refreshToken ?? "" } : { grant_type: "client_credentials" },
    );
    const basic = Buffer.from(`${env.clientId}:${env.clientSecret}`).toString("base64");
    const what = user ? "the refresh token (SPOTIFY_REFRESH_TOKEN)" : "the client credentials";
    const tokenUrl = `${env.accountsBaseUrl}/api/token`;
    let unreachable = 0;
    return retry<CachedToken>(
      async (attempt) => {
        let problem: string;
        try {
          stats.tokenRequests++;
          // The transport never follows a redirect: one would re-send the client secret and refresh token.
          const response = await boundedRequest(tokenUrl, {
            method: "POST",
            headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
            body,
            timeoutMs,
            maxBytes,
          });
          if (response.status >= 300 && response.status < 400) throw redirectRefused(tokenUrl, response, what);
          const text = response.text;
          if (response.status === 400 || response.status === 401 || response.status === 403) {
            const context = { endpoint: "POST /api/token", refreshGrant: user, secrets: [refreshToken] };
            const terminal = terminalSpotifyError(text, context);
            if (terminal) throw terminal;
            throw new SpotifyAuthError({ reason: "tokenRefused", what, status: response.status, user });
          }
          if (response.ok) {
            const token = v.safeParse(TokenResponseSchema, JSON.parse(text));
            if (token.success) {
              const value = token.output;
              rememberSecret(value.access_token);
              rememberSecret(value.refresh_token);
              if (user && value.refresh_token) refreshToken = value.refresh_token;
              const lifetimeMs = value.expires_in * 1000;
              // Renew a little before expiry so that a request never leaves with a token about to die.
              return verdict.done({
                value: value.access_token,
                renewAt: Date.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10),
              });
            }
            problem = "the token response did not have the expected fields";
          } else {
            problem = `HTTP ${response.status}`;
          }
        } catch (error) {
          if (error instanceof SpotifyAuthError || error instanceof SpotifyResponseTooLargeError) {
            return verdict.fail(error);
          }
          const code = unreachableCode(error);
          if (code && unreachable++ >= UNREACHABLE_RETRIES) {
            return verdict.fail(
              new SpotifyConnectionError({ url: tokenUrl, code, variable: "SPOTIFY_ACCOUNTS_BASE_URL" }),
            );
          }
          if (code) return verdict.retryIn(UNREACHABLE_BACKOFF_MS * unreachable);
          problem =
            error instanceof SyntaxError ? "malformed token response" : `network error (${(error as Error).name})`;
        }
        if (attempt >= maxRetries) {
          return verdict.fail(new SpotifyServerError({ reason: "tokenFailed", attempts: attempt + 1, problem }));
        }
        logger.warn("spotify token request failed; retrying", { problem, attempt: attempt + 1 });
        return verdict.retryIn(backoff(attempt));
      },
      { onRetry: countRetry },
    );
  };

  /**
   * One token request in flight per kind (single-flight): every caller waiting while it runs shares its outcome,
   * success or failure, instead of each worker asking (and retrying) on its own.
   */
  const tokenFor = async (user: boolean, forceNew: boolean): Promise<string> => {
    const slot = user ? "user" : "app";
    const cached = tokens[slot];
    if (cached && (!forceNew || pendingTokens.has(cached))) {
      const token = await cached;
      // A renewal that was already in flight serves a forced one; a cached token serves until its renewal time.
      if (forceNew || Date.now() < token.renewAt) return token.value;
      // Expired: renew, unless another caller already started the renewal.
      const current = tokens[slot];
      if (current && current !== cached) return (await current).value;
    }
    const fresh = requestToken(user);
    tokens[slot] = fresh;
    pendingTokens.add(fresh);
    fresh.then(
      () => pendingTokens.delete(fresh),
      () => {
        pendingTokens.delete(fresh);
        if (tokens[slot] === fresh) delete tokens[slot];
      },
    );
    return (await fresh).value;
  };

  const get = async (pathOrUrl: string, opts: GetOptions = {}): Promise<unknown> => {
    if (stopped) throw stopped;
    const user = opts.user ?? false;
    if (user && !refreshToken) {
      throw new SpotifyAuthError({ reason: "userTokenMissing" });
    }
    const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${env.apiBaseUrl}${pathOrUrl}`;
    if (new URL(url).origin !== apiOrigin) {
      // A `next` link to another host would receive our bearer token.
      throw new SpotifyRequestError({ reason: "foreignLink", apiOrigin, origin: new URL(url).origin });
    }
    const endpoint = endpointOf(env.apiBaseUrl, url);
    const bucket = quotaBucketOf(endpoint);
    const spent = exhausted.get(bucket);
    if (spent) throw spent;
    let renewedAfter401 = false;
    let unreachable = 0;
    const renewToken = async () => {
      await tokenFor(user, true).catch((error: unknown) =>
        error instanceof SpotifyAuthError ? stop(error) : Promise.reject(error),
      );
    };
    return retry<unknown>(
      async (attempt) => {
        // Another request may have stopped the client while this one waited to retry.
        if (stopped) return verdict.fail(stopped);
        const bucketSpent = exhausted.get(bucket);
        if (bucketSpent) return verdict.fail(bucketSpent);
        let problem: string;
        const token = await tokenFor(user, false).catch((error: unknown) =>
          error instanceof SpotifyAuthError || error instanceof SpotifyConnectionError
            ? stop(error)
            : Promise.reject(error),
        );
        const outcome = await limiter.run(async (): Promise<Attempt> => {
          const budget = budgets[bucket];
          if (budget !== undefined && (stats.byBucket[bucket] ?? 0) >= budget) {
            stopBucket(bucket, new SpotifyQuotaExceededError({ reason: "capSpent", bucket }));
          }
          stats.requests++;
          stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
          stats.byBucket[bucket] = (stats.byBucket[bucket] ?? 0) + 1;
          try {
            const response = await boundedRequest(url, {
              headers: {
                authorization: `Bearer ${token}`,
                accept: "application/json",
                ...(opts.ifNoneMatch ? { "if-none-match": opts.ifNoneMatch } : {}),
              },
              timeoutMs,
              maxBytes,
            });
            return { ok: true, response };
          } catch (error) {
            if (error instanceof SpotifyResponseTooLargeError) throw error;
            return { ok: false, error: error as Error };
          }
        });
        if (requestChannel.hasSubscribers) {
          const message: SpotifyRequestMessage = { endpoint, status: outcome.ok ? outcome.response.status : 0 };
          requestChannel.publish(message);
        }
        if (!outcome.ok) {
          const code = unreachableCode(outcome.error);
          if (code && unreachable++ >= UNREACHABLE_RETRIES) {
            stop(new SpotifyConnectionError({ url: env.apiBaseUrl, code, variable: "SPOTIFY_API_BASE_URL" }));
          }
          if (code) return verdict.retryIn(UNREACHABLE_BACKOFF_MS * unreachable);
          problem = outcome.error.name === "TimeoutError" ? `timed out after ${timeoutMs / 1000}s` : "network error";
        } else {
          const { response } = outcome;
          const { text } = response;
          // Parsed, and handed to the caller, only after the event loop has read every other answer that is ready and
          // sent the requests waiting for their slots: a burst of large answers (a batch of 20 albums takes about
          // 10 ms to parse, check and serialize) then no longer holds back the requests and answers behind it.
          await nextTurn();
          const status = response.status;
          if (status === 304 && opts.ifNoneMatch) return verdict.done(NOT_MODIFIED);
          if (response.ok) {
            try {
              const body = JSON.parse(text);
              const etag = response.headers.get("etag");
              if (etag && opts.onEtag) opts.onEtag(etag);
              return verdict.done(body);
            } catch {
              problem = "malformed JSON body";
            }
          } else if (status === 401) {
            if (renewedAfter401) {
              stop(new SpotifyAuthError({ reason: "freshTokenRefused", endpoint, user }));
            }
            renewedAfter401 = true;
            return verdict.renew;
          } else if (status === 429) {
            const body = spotifyErrorBody(text);
            const header = Number(response.headers.get("retry-after"));
            const retryAfter = Number.isFinite(header) && header >= 0 ? header : 1;
            const retryAt = new Date(now().getTime() + retryAfter * 1000);
            if (body.reason === "QUOTA_EXCEEDED") {
              stopBucket(
                bucket,
                new SpotifyQuotaExceededError({
                  reason: "quotaExceeded",
                  bucket,
                  endpoint,
                  retryAt,
                  retryAfterSeconds: retryAfter,
                }),
              );
            }
            if (retryAfter > maxRetryAfter) {
              stopBucket(
                bucket,
                new SpotifyQuotaExceededError({
                  reason: "retryAfterTooLong",
                  bucket,
                  endpoint,
                  retryAt,
                  retryAfterSeconds: retryAfter,
                  maxRetryAfterSeconds: maxRetryAfter,
                }),
              );
            }
            const sleepCeiling = options.sleepRetryAfterSeconds;
            if (sleepCeiling !== undefined && retryAfter > sleepCeiling) {
              throw new SpotifyRetryLaterError({
                endpoint,
                retryAfterSeconds: retryAfter,
                sleepRetryAfterSeconds: sleepCeiling,
              });
            }
            if (attempt >= maxRetries) {
              return verdict.fail(
                new SpotifyRateLimitError({ endpoint, attempts: attempt + 1, retryAfterSeconds: retryAfter }),
              );
            }
            logger.warn("spotify rate limit; waiting", { endpoint, retryAfterSeconds: retryAfter });
            return verdict.retryIn(retryAfter * 1000);
          } else if (status >= 500) {
            problem = `HTTP ${status}`;
          } else {
            const terminal = status === 403 ? terminalSpotifyError(text, { endpoint }) : undefined;
            if (terminal) stop(terminal);
            const body = spotifyErrorBody(text);
            throw new SpotifyRequestError({
              reason: "answered",
              status,
              endpoint,
              // Spotify's message is quoted, and a hostile server can echo the token in it.
              message: body.message ? redactSecrets(body.message.slice(0, 500), [refreshToken]) : undefined,
            });
          }
        }
        if (attempt >= maxRetries) {
          return verdict.fail(
            new SpotifyServerError({ reason: "requestFailed", endpoint, attempts: attempt + 1, problem }),
          );
        }
        if (stopped) return verdict.fail(stopped);
        logger.warn("spotify request failed; retrying", { endpoint, problem, attempt: attempt + 1 });
        return verdict.retryIn(backoff(attempt));
      },
      { onRetry: countRetry, renew: renewToken },
    );
  };

  return {
    hasUserToken: Boolean(env.refreshToken),
    get,
    stats: () => ({ ...stats, byEndpoint: { ...stats.byEndpoint }, byBucket: { ...stats.byBucket } }),
  };
}
