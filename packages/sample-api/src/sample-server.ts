/**
 * The sample Spotify API: a deterministic fake Spotify on 127.0.0.1 that speaks the real wire format (token endpoint,
 * paging with absolute `next` links, `{"error": {...}}` bodies, 429 + Retry-After). It emulates the `development` and
 * `extended` access profiles and both response shapes, and can inject faults, so the CLI runs with no credentials and
 * tests exercise the real HTTP path. Every name starts with "Sample " and every response carries
 * `x-tunelake-sample: true`: nobody should mistake this data for Spotify's.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import { sleep } from "@tunelake/core/resilience";
import { USER_SCOPES } from "@tunelake/core/sources/index";
import { QUOTA_BUCKETS, type QuotaBucket, quotaBucketOf } from "@tunelake/core/spotify/quota-buckets";
import { HttpError, OAuthError } from "./errors.ts";
import { EDITORIAL_PLAYLIST_PREFIX, SampleData, type SampleProfile, type SampleShape } from "./sample-data.ts";
import { driftResponse } from "./sample-drift.ts";
import { createSampleRoutes, type RouteEnv } from "./sample-routes.ts";

/** Faults the server injects into API requests (the token and authorize endpoints are never faulted). */
export interface SampleFaults {
  /** 429 with `Retry-After: retryAfterSeconds` (default 1) for the next `count` requests. */
  rateLimit?: { count: number; retryAfterSeconds?: number };
  /** Every API request answers 429 QUOTA_EXCEEDED with a Retry-After of a day (every bucket spent). */
  quota?: boolean;
  /** The token endpoint answers `invalid_grant` for the user's refresh token, as Spotify does once it is revoked. */
  refreshTokenRevoked?: boolean;
  /** The app owner's Premium subscription lapsed: every API request answers 403 {@link PREMIUM_REQUIRED_MESSAGE}. */
  premiumLapsed?: boolean;
  /** Spotify's 2026 rollout: a playlist response carries both `items` and `tracks`, entries still say `track`. */
  bothPlaylistKeys?: boolean;
  /** `status` (default 503) for the next `count` requests. */
  serverError?: { count: number; status?: number };
  /** Adds `ms` of delay to the next `count` requests (every request when `count` is absent). */
  slow?: { ms: number; count?: number };
  /** A 200 with a truncated JSON body for the next `count` requests. */
  malformed?: { count: number };
  /** Items of paging objects at positions where `position % every === 3` (default every 7) break the schema. */
  invalidItems?: boolean | { every?: number };
  /**
   * API drift (see sample-drift.ts): objects lose non-key fields, have them null or of another type, and gain
   * unknown ones, reproducibly for a seed (default 1).
   */
  drift?: boolean | { seed?: number };
}

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
/** What Spotify answers (403) to every call of an app whose owner's Premium subscription lapsed (field report). */
export const PREMIUM_REQUIRED_MESSAGE =
  "Your application is blocked from accessing the Web API since you do not have a Spotify Premium subscription";

const DAY_SECONDS = 86_400;
const emptyStats = (): SampleServerStats => ({
  requests: 0,
  byEndpoint: {},
  byBucket: Object.fromEntries(QUOTA_BUCKETS.map((bucket) => [bucket, 0])) as Record<QuotaBucket, number>,
  notModified: 0,
});
const quotaExceeded = (retryAfterSeconds: number) =>
  new HttpError(429, "API rate limit exceeded", { "Retry-After": String(retryAfterSeconds) }, "QUOTA_EXCEEDED");
/** Endpoints that send an ETag and honour If-None-Match (Spotify: seen on playlist-related endpoints). */
const withEtag = (label: string) => /^GET \/playlists\/\{id\}(\/(items|tracks))?$/.test(label);

interface TokenInfo {
  expiresAt: number;
  user: boolean;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function endpointLabel(method: string, path: string): string {
  return `${method} ${path
    .replace(/^\/v1/, "")
    .replace(/^\/accounts/, "")
    .replace(/[0-9A-Za-z]{22}/g, "{id}")}`;
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

  const auth = (req: IncomingMessage): TokenInfo => {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer (.+)$/.exec(header);
    if (!match?.[1]) throw new HttpError(401, "No token provided");
    const info = tokens.get(match[1]);
    if (!info) throw new HttpError(401, "Invalid access token");
    if (info.expiresAt <= Date.now()) throw new HttpError(401, "The access token expired");
    return info;
  };

  const applyFaults = async (): Promise<{ malformed: boolean }> => {
    if (faults.slow && (faults.slow.count === undefined || faults.slow.count > 0)) {
      if (faults.slow.count !== undefined) faults.slow.count--;
      await sleep(faults.slow.ms);
    }
    if (faults.premiumLapsed) throw new HttpError(403, PREMIUM_REQUIRED_MESSAGE);
    if (faults.quota) throw quotaExceeded(DAY_SECONDS);
    if (faults.rateLimit && faults.rateLimit.count > 0) {
      faults.rateLimit.count--;
      throw new HttpError(429, "API rate limit exceeded", {
        "Retry-After": String(faults.rateLimit.retryAfterSeconds ?? 1),
      });
    }
    if (faults.serverError && faults.serverError.count > 0) {
      faults.serverError.count--;
      throw new HttpError(faults.serverError.status ?? 503, "Service unavailable");
    }
    if (faults.malformed && faults.malformed.count > 0) {
      faults.malformed.count--;
      return { malformed: true };
    }
    return { malformed: false };
  };

  /** Counts a request against its bucket's budget of the world date; throws 429 QUOTA_EXCEEDED once it is spent. */
  const spend = (bucket: QuotaBucket): void => {
    const budget = quota?.budgets[bucket];
    if (budget === undefined) return;
    const key = `${data?.worldDate ?? "base"} ${bucket}`;
    const used = spent.get(key) ?? 0;
    if (used >= budget) {
      const left = DAY_SECONDS - Math.floor((Date.now() - worldDayStartedAt) / 1000);
      throw quotaExceeded(quota?.retryAfterSeconds ?? Math.max(1, left));
    }
    spent.set(key, used + 1);
  };

  const routes = createSampleRoutes();
  /** Answers a Web API request from the router app (sample-routes.ts); a route's error is thrown as it was. */
  const api = async (req: IncomingMessage, url: URL, token: TokenInfo): Promise<unknown> => {
    if (req.method !== "GET") throw new HttpError(405, "Method not allowed");
    const env: RouteEnv = {
      data: data!,
      user: token.user,
      extended,
      shape,
      corrupt,
      bothPlaylistKeys: faults.bothPlaylistKeys === true,
    };
    await routes.fetch(new Request(url), env);
    if (env.error !== undefined) throw env.error;
    return env.answer;
  };

  const tokenEndpoint = async (req: IncomingMessage): Promise<unknown> => {
    const body = new URLSearchParams(await readBody(req));
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const [id, secret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    if (id !== SAMPLE_CLIENT_ID || secret !== clientSecret) {
      throw new OAuthError(400, "invalid_client", "Invalid client");
    }
    const grant = body.get("grant_type");
    if (grant === "client_credentials") {
      return { access_token: issueToken(false), token_type: "Bearer", expires_in: expiresIn };
    }
    if (grant === "refresh_token") {
      const refresh = body.get("refresh_token") ?? "";
      if (faults.refreshTokenRevoked) throw new OAuthError(400, "invalid_grant", "Refresh token revoked");
      if (!refreshTokens.has(refresh)) throw new OAuthError(400, "invalid_grant", "Invalid refresh token");
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
        throw new OAuthError(400, "invalid_grant", "Invalid authorization code");
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
    throw new OAuthError(400, "unsupported_grant_type", `grant_type ${grant ?? "(none)"} is not supported`);
  };

  const authorize = (url: URL, res: ServerResponse): void => {
    const redirect = url.searchParams.get("redirect_uri") ?? "";
    if (url.searchParams.get("client_id") !== SAMPLE_CLIENT_ID)
      throw new HttpError(400, "INVALID_CLIENT: Invalid client");
    let target: URL;
    try {
      target = new URL(redirect);
    } catch {
      throw new HttpError(400, "INVALID_CLIENT: Invalid redirect URI");
    }
    if (target.hostname !== "127.0.0.1" && target.hostname !== "[::1]") {
      throw new HttpError(400, "INVALID_CLIENT: Insecure redirect URI (use http://127.0.0.1:PORT)");
    }
    if (url.searchParams.get("response_type") !== "code") throw new HttpError(400, "response_type must be code");
    const code = `sample-code-${randomBytes(8).toString("hex")}`;
    codes.set(code, redirect);
    target.searchParams.set("code", code);
    const state = url.searchParams.get("state");
    if (state !== null) target.searchParams.set("state", state);
    res.writeHead(302, { Location: target.toString(), "x-tunelake-sample": "true" });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
    const label = endpointLabel(req.method ?? "GET", url.pathname);
    const bucket = url.pathname.startsWith("/v1/") ? quotaBucketOf(label) : undefined;
    stats.requests++;
    stats.byEndpoint[label] = (stats.byEndpoint[label] ?? 0) + 1;
    if (bucket) stats.byBucket[bucket]++;
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "x-tunelake-sample": "true",
        ...headers,
      });
      res.end(body);
    };
    try {
      if (latencyMs > 0) await sleep(latencyMs);
      if (url.pathname === "/accounts/api/token" && req.method === "POST") {
        send(200, JSON.stringify(await tokenEndpoint(req)));
        return;
      }
      if (url.pathname === "/accounts/authorize" && req.method === "GET") {
        authorize(url, res);
        return;
      }
      if (!url.pathname.startsWith("/v1/")) throw new HttpError(404, "Service not found");
      const token = auth(req);
      const { malformed } = await applyFaults();
      if (bucket) spend(bucket);
      const answer = await api(req, url, token);
      const drift = faults.drift ? (typeof faults.drift === "object" ? (faults.drift.seed ?? 1) : 1) : undefined;
      const full = JSON.stringify(drift === undefined ? answer : driftResponse(answer, drift));
      const body = malformed ? full.slice(0, Math.max(1, Math.floor(full.length / 2))) : full;
      if (!withEtag(label)) return send(200, body);
      // A hash of the body: the same answer has the same ETag, and If-None-Match with it answers 304, no body.
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
      if (req.headers["if-none-match"] === etag) {
        stats.notModified++;
        res.writeHead(304, { ETag: etag, "x-tunelake-sample": "true" });
        res.end();
        return;
      }
      send(200, body, { ETag: etag });
    } catch (error) {
      if (error instanceof OAuthError) {
        send(error.status, JSON.stringify({ error: error.code, error_description: error.message }));
      } else if (error instanceof HttpError) {
        const payload: Record<string, unknown> = { status: error.status, message: error.message };
        if (error.reason) payload.reason = error.reason;
        send(error.status, JSON.stringify({ error: payload }), error.headers);
      } else {
        send(500, JSON.stringify({ error: { status: 500, message: "Sample server error" } }));
      }
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
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
