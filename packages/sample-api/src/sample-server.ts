/**
 * The sample Spotify API: a deterministic fake Spotify on 127.0.0.1 that speaks the real wire format (token endpoint,
 * paging with absolute `next` links, `{"error": {...}}` bodies, 429 + Retry-After). It emulates the `development` and
 * `extended` access profiles and both response shapes, and can inject faults, so the CLI runs with no credentials and
 * tests exercise the real HTTP path. Every name starts with "Sample " and every response carries
 * `x-tunelake-sample: true`: nobody should mistake this data for Spotify's. It is a Hono app on node:http: middleware
 * counts, authenticates, applies the faults (sample-fault-middleware.ts) and the quota around the Web API's routes
 * (sample-routes.ts), which know nothing of them.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import { sleep } from "@tunelake/core/resilience";
import { USER_SCOPES } from "@tunelake/core/sources/index";
import { QUOTA_BUCKETS, type QuotaBucket, quotaBucketOf } from "@tunelake/core/spotify/quota-buckets";
import { Hono, type MiddlewareHandler } from "hono";
import { HttpError, OAuthError, PREMIUM_REQUIRED_MESSAGE } from "./errors.ts";
import { EDITORIAL_PLAYLIST_PREFIX, SampleData, type SampleProfile, type SampleShape } from "./sample-data.ts";
import {
  type AnswerVariables,
  DAY_SECONDS,
  jsonBody,
  type SampleFaults,
  tokenFaults,
  webApiFaults,
} from "./sample-fault-middleware.ts";
import { createSampleRoutes, type RouteEnv } from "./sample-routes.ts";

export type { SampleFaults };

export interface SampleServerOptions {
  profile?: SampleProfile;
  shape?: SampleShape;
  /** Delay added to every request, to emulate a network round trip. */
  latencyMs?: number;
  /** Lifetime of issued access tokens (default 3600). */
  expiresInSeconds?: number;
  faults?: SampleFaults;
  /** Host to bind (default 127.0.0.1). */
  host?: string;
  /**
   * The client secret the token endpoint accepts (default {@link SAMPLE_CLIENT_SECRET}): tests that prove a secret
   * leaks nowhere need one that cannot appear by chance.
   */
  clientSecret?: string;
  /** The refresh token the server accepts for the sample user (default {@link SAMPLE_REFRESH_TOKEN}). */
  refreshToken?: string;
  /**
   * The world date (YYYY-MM-DD) the data answers for: none, or one before the world's epoch, is the base world
   * (sample-world.ts). `setWorldDate` moves it.
   */
  worldDate?: string;
  /** The first day of the changing world (default WORLD_EPOCH, sample-world.ts). */
  worldEpoch?: string;
  /** Spotify's per-bucket quota, counted per world date. */
  quota?: SampleQuota;
}

/**
 * Per-bucket quota: each bucket's budget is the requests it answers per world date; once spent, its requests answer
 * 429 QUOTA_EXCEEDED with a long Retry-After while the other buckets still answer (as Spotify's buckets do).
 */
export interface SampleQuota {
  budgets: Partial<Record<QuotaBucket, number>>;
  /** Retry-After of an exhausted bucket (default: the seconds left of the world day, which began when it was set). */
  retryAfterSeconds?: number;
}

export interface SampleServerStats {
  requests: number;
  byEndpoint: Record<string, number>;
  /** Web API requests per quota bucket (quota-buckets.ts), answered or not. */
  byBucket: Record<QuotaBucket, number>;
  /** `304 Not Modified` answers to an `If-None-Match` that matched the ETag. */
  notModified: number;
}

export interface SampleServer {
  apiBaseUrl: string;
  accountsBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token the server accepts for the sample user (for user-scoped sources). */
  refreshToken: string;
  profile: SampleProfile;
  shape: SampleShape;
  /** The fake catalogue the server answers from (tests and the bench compute expectations with it). */
  data: SampleData;
  stats(): SampleServerStats;
  resetStats(): void;
  setFaults(faults: SampleFaults): void;
  /** Moves the world to `date` (undefined: the base world) without a restart; each date has its own quota budgets. */
  setWorldDate(date: string | undefined): void;
  /** Replaces the per-bucket quota (undefined: no budgets). */
  setQuota(quota: SampleQuota | undefined): void;
  /** Invalidates every access token issued so far (the next API call answers 401). */
  revokeTokens(): void;
  close(): Promise<void>;
}

/** A line for the CLI to show whenever the sample API serves a run. */
export const SAMPLE_BANNER =
  'SAMPLE DATA: no Spotify credentials are set, so this run uses tunelake\'s built-in fake Spotify API (every name starts with "Sample "). Set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET for real data.';

export const SAMPLE_CLIENT_ID = "sample-client-id";
export const SAMPLE_CLIENT_SECRET = "sample-client-secret";
export const SAMPLE_REFRESH_TOKEN = "sample-refresh-token";
export { PREMIUM_REQUIRED_MESSAGE };

const emptyStats = (): SampleServerStats => ({
  requests: 0,
  byEndpoint: {},
  byBucket: Object.fromEntries(QUOTA_BUCKETS.map((bucket) => [bucket, 0])) as Record<QuotaBucket, number>,
  notModified: 0,
});
/** Endpoints that send an ETag and honour If-None-Match (Spotify: seen on playlist-related endpoints). */
const withEtag = (label: string) => /^GET \/playlists\/\{id\}(\/(items|tracks))?$/.test(label);

interface TokenInfo {
  expiresAt: number;
  user: boolean;
}

/** What the middleware hands on to what runs after it, per request. */
type Variables = AnswerVariables & { label: string; bucket?: QuotaBucket; token: TokenInfo };
type AppEnv = { Variables: Variables };

function endpointLabel(method: string, path: string): string {
  return `${method} ${path
    .replace(/^\/v1/, "")
    .replace(/^\/accounts/, "")
    .replace(/[0-9A-Za-z]{22}/g, "{id}")}`;
}

/** The answer Spotify gives for an error: the accounts service's shape, the Web API's, or a 500 for a bug. */
function errorAnswer(error: unknown): Response {
  if (error instanceof OAuthError) {
    return jsonBody(error.status, JSON.stringify({ error: error.code, error_description: error.message }));
  }
  if (error instanceof HttpError) {
    const payload: Record<string, unknown> = { status: error.status, message: error.message };
    if (error.reason) payload.reason = error.reason;
    return jsonBody(error.status, JSON.stringify({ error: payload }), error.headers);
  }
  return jsonBody(500, JSON.stringify({ error: { status: 500, message: "Sample server error" } }));
}

/** Starts the sample API on an ephemeral port of 127.0.0.1. */
export async function startSampleServer(options: SampleServerOptions = {}): Promise<SampleServer> {
  const profile = options.profile ?? "development";
  const shape = options.shape ?? "2026";
  const latencyMs = options.latencyMs ?? 0;
  const expiresIn = options.expiresInSeconds ?? 3600;
  let faults: SampleFaults = { ...options.faults };
  let stats = emptyStats();
  let quota: SampleQuota | undefined = options.quota && structuredClone(options.quota);
  /** Requests each bucket answered, per world date (`date bucket`). */
  const spent = new Map<string, number>();
  let worldDayStartedAt = Date.now();
  const tokens = new Map<string, TokenInfo>();
  const clientSecret = options.clientSecret ?? SAMPLE_CLIENT_SECRET;
  const userRefreshToken = options.refreshToken ?? SAMPLE_REFRESH_TOKEN;
  const refreshTokens = new Set([userRefreshToken]);
  const codes = new Map<string, string>();
  const extended = profile === "extended";
  let data: SampleData | undefined;

  const issueToken = (user: boolean): string => {
    const token = `sample-access-${randomBytes(12).toString("hex")}`;
    tokens.set(token, { expiresAt: Date.now() + expiresIn * 1000, user });
    return token;
  };

  const invalidEvery = (): number | undefined =>
    faults.invalidItems ? (typeof faults.invalidItems === "object" ? (faults.invalidItems.every ?? 7) : 7) : undefined;

  /** Breaks items of a paging object (in place) when the invalidItems fault is on. */
  const corrupt = (pageObj: Record<string, unknown>): Record<string, unknown> => {
    const every = invalidEvery();
    const items = pageObj.items;
    if (!every || !Array.isArray(items)) return pageObj;
    const offset = typeof pageObj.offset === "number" ? pageObj.offset : 0;
    pageObj.items = items.map((item: Record<string, unknown> | null, i) => {
      if ((offset + i) % every !== 3 || item === null) return item;
      if ("added_at" in item) return { ...item, added_at: 12345 };
      if ("played_at" in item) return { ...item, played_at: 12345 };
      return { ...item, id: 12345 };
    });
    return pageObj;
  };

  /** Counts a request against its bucket's budget of the world date; throws 429 QUOTA_EXCEEDED once it is spent. */
  const spend = (bucket: QuotaBucket): void => {
    const budget = quota?.budgets[bucket];
    if (budget === undefined) return;
    const key = `${data?.worldDate ?? "base"} ${bucket}`;
    const used = spent.get(key) ?? 0;
    if (used >= budget) {
      const left = DAY_SECONDS - Math.floor((Date.now() - worldDayStartedAt) / 1000);
      throw new HttpError({
        problem: "rateLimited",
        retryAfterSeconds: quota?.retryAfterSeconds ?? Math.max(1, left),
        quotaExceeded: true,
      });
    }
    spent.set(key, used + 1);
  };

  /**
   * Every request: counted (stats per endpoint and quota bucket, whatever the answer), and answered `latencyMs` after it
   * arrived. The answer is worked out at once and held for the rest of that time, as a remote service computes while
   * the network carries: working it out after the wait would add this one process's CPU time to every request's
   * latency, which Spotify's many machines do not.
   */
  const counted: MiddlewareHandler<AppEnv> = async (c, next) => {
    const arrived = performance.now();
    const { pathname } = new URL(c.req.url);
    const label = endpointLabel(c.req.method, pathname);
    const bucket = pathname.startsWith("/v1/") ? quotaBucketOf(label) : undefined;
    stats.requests++;
    stats.byEndpoint[label] = (stats.byEndpoint[label] ?? 0) + 1;
    if (bucket) stats.byBucket[bucket]++;
    c.set("label", label);
    if (bucket) c.set("bucket", bucket);
    await next();
    const left = latencyMs - (performance.now() - arrived);
    if (left > 0) await sleep(Math.ceil(left));
  };

  /** The Web API's bearer token: 401 without a live one. */
  const authenticated: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!new URL(c.req.url).pathname.startsWith("/v1/")) throw new HttpError({ problem: "notFound", what: "service" });
    const match = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) throw new HttpError({ problem: "noToken" });
    const info = tokens.get(match[1]);
    if (!info) throw new HttpError({ problem: "invalidToken" });
    if (info.expiresAt <= Date.now()) throw new HttpError({ problem: "expiredToken" });
    c.set("token", info);
    await next();
  };

  /**
   * ETag and If-None-Match on the endpoints Spotify sends one for: a hash of the body as sent (faults included), so the
   * same answer has the same ETag, and a matching If-None-Match answers 304 with no body.
   */
  const etagged: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (c.get("answer") === undefined || c.res.status !== 200 || !withEtag(c.get("label"))) return;
    const body = await c.res.text();
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    if (c.req.header("if-none-match") === etag) {
      stats.notModified++;
      c.res = new Response(null, { status: 304, headers: { ETag: etag, "x-tunelake-sample": "true" } });
      return;
    }
    c.res = jsonBody(200, body, { ETag: etag });
  };

  /** The bucket's quota of the world date. */
  const budgeted: MiddlewareHandler<AppEnv> = async (c, next) => {
    const bucket = c.get("bucket");
    if (bucket) spend(bucket);
    await next();
  };

  const routes = createSampleRoutes();
  /** Answers a Web API request from the router app (sample-routes.ts); a route's error is thrown as it was. */
  const api = async (c: Parameters<MiddlewareHandler<AppEnv>>[0]): Promise<Response> => {
    if (c.req.method !== "GET") throw new HttpError({ problem: "methodNotAllowed" });
    const env: RouteEnv = {
      data: data!,
      user: c.get("token").user,
      extended,
      shape,
      corrupt,
      bothPlaylistKeys: faults.bothPlaylistKeys === true,
    };
    await routes.fetch(new Request(c.req.url), env);
    if (env.error !== undefined) throw env.error;
    c.set("answer", env.answer);
    return jsonBody(200, JSON.stringify(env.answer));
  };

  /** The token endpoint's client authentication (HTTP Basic with the app's id and secret). */
  const clientAuthenticated: MiddlewareHandler<AppEnv> = async (c, next) => {
    const basic = /^Basic (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const [id, secret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    if (id !== SAMPLE_CLIENT_ID || secret !== clientSecret) throw new OAuthError({ code: "invalid_client" });
    await next();
  };

  const tokenEndpoint = async (body: URLSearchParams): Promise<unknown> => {
    const grant = body.get("grant_type");
    if (grant === "client_credentials") {
      return { access_token: issueToken(false), token_type: "Bearer", expires_in: expiresIn };
    }
    if (grant === "refresh_token") {
      const refresh = body.get("refresh_token") ?? "";
      if (!refreshTokens.has(refresh)) throw new OAuthError({ code: "invalid_grant", problem: "unknownRefreshToken" });
      return {
        access_token: issueToken(true),
        token_type: "Bearer",
        expires_in: expiresIn,
        scope: USER_SCOPES.join(" "),
      };
    }
    if (grant === "authorization_code") {
      const code = body.get("code") ?? "";
      const redirect = codes.get(code);
      if (!redirect || redirect !== body.get("redirect_uri")) {
        throw new OAuthError({ code: "invalid_grant", problem: "unknownCode" });
      }
      codes.delete(code);
      const refresh = `sample-refresh-${randomBytes(12).toString("hex")}`;
      refreshTokens.add(refresh);
      return {
        access_token: issueToken(true),
        token_type: "Bearer",
        expires_in: expiresIn,
        refresh_token: refresh,
        scope: USER_SCOPES.join(" "),
      };
    }
    throw new OAuthError({ code: "unsupported_grant_type", grant });
  };

  const authorize = (url: URL): Response => {
    const redirect = url.searchParams.get("redirect_uri") ?? "";
    if (url.searchParams.get("client_id") !== SAMPLE_CLIENT_ID) {
      throw new HttpError({ problem: "invalidClient", detail: "client" });
    }
    let target: URL;
    try {
      target = new URL(redirect);
    } catch {
      throw new HttpError({ problem: "invalidClient", detail: "redirectUri" });
    }
    if (target.hostname !== "127.0.0.1" && target.hostname !== "[::1]") {
      throw new HttpError({ problem: "invalidClient", detail: "insecureRedirectUri" });
    }
    if (url.searchParams.get("response_type") !== "code") throw new HttpError({ problem: "responseType" });
    const code = `sample-code-${randomBytes(8).toString("hex")}`;
    codes.set(code, redirect);
    target.searchParams.set("code", code);
    const state = url.searchParams.get("state");
    if (state !== null) target.searchParams.set("state", state);
    return new Response(null, { status: 302, headers: { Location: target.toString(), "x-tunelake-sample": "true" } });
  };

  // The app: every request counted, the accounts endpoints, then the Web API: bearer token, ETag, faults, quota and
  // the routes. An error anywhere is the answer Spotify gives for it.
  const app = new Hono<AppEnv>();
  app.onError(errorAnswer);
  app.notFound(() => errorAnswer(new HttpError({ problem: "notFound", what: "service" })));
  app.use("*", counted);
  app.post(
    "/accounts/api/token",
    clientAuthenticated,
    tokenFaults(() => faults),
    async (c) => jsonBody(200, JSON.stringify(await tokenEndpoint(new URLSearchParams(await c.req.text())))),
  );
  app.get("/accounts/authorize", (c) => authorize(new URL(c.req.url)));
  app.use(
    "/v1/*",
    authenticated,
    etagged,
    webApiFaults(() => faults),
    budgeted,
  );
  app.all("/v1/*", api);

  const server = createServer(getRequestListener(app.fetch));
  // Clients keep connections alive; close() must not wait for them.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const apiBaseUrl = `${origin}/v1`;
  data = new SampleData({
    profile,
    shape,
    apiBaseUrl,
    worldDate: options.worldDate,
    worldEpoch: options.worldEpoch,
  });

  return {
    apiBaseUrl,
    accountsBaseUrl: `${origin}/accounts`,
    clientId: SAMPLE_CLIENT_ID,
    clientSecret,
    refreshToken: userRefreshToken,
    profile,
    shape,
    data,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    setWorldDate: (date) => {
      data.setWorldDate(date);
      worldDayStartedAt = Date.now();
    },
    setQuota: (next) => {
      quota = next && structuredClone(next);
    },
    revokeTokens: () => tokens.clear(),
    setFaults: (next) => {
      faults = structuredClone(next);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The sample server's credentials as a SpotifyEnv-like object, for `createSpotifyClient` and `runExtract`. */
export function sampleEnv(server: SampleServer, withRefreshToken = false): SpotifyEnv {
  return {
    clientId: server.clientId,
    clientSecret: server.clientSecret,
    refreshToken: withRefreshToken ? server.refreshToken : undefined,
    apiBaseUrl: server.apiBaseUrl,
    accountsBaseUrl: server.accountsBaseUrl,
  };
}

export { EDITORIAL_PLAYLIST_PREFIX };
