/**
 * The sample API's faults: switches a test, or a `--inject-fault spotify-*` fault, turns on. The Web API ones are one
 * middleware around the routes (sample-routes.ts), which never see them: it answers instead of the route (slow,
 * Premium lapsed, quota, rate limit, server error) or changes the route's answer (drift, a truncated body). The token
 * endpoint's one (a revoked refresh token) is its own middleware.
 */
import { sleep } from "@tunelake/core/resilience";
import type { MiddlewareHandler } from "hono";
import { HttpError, OAuthError } from "./errors.ts";
import { driftResponse } from "./sample-drift.ts";

/** Faults the server injects into Web API requests (and, for a revoked refresh token, into the token endpoint). */
export interface SampleFaults {
  /** 429 with `Retry-After: retryAfterSeconds` (default 1) for the next `count` requests. */
  rateLimit?: { count: number; retryAfterSeconds?: number };
  /** Every API request answers 429 QUOTA_EXCEEDED with a Retry-After of a day (every bucket spent). */
  quota?: boolean;
  /** The token endpoint answers `invalid_grant` for the user's refresh token, as Spotify does once it is revoked. */
  refreshTokenRevoked?: boolean;
  /** The app owner's Premium subscription lapsed: every API request answers 403, as Spotify does. */
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

/** A day, the Retry-After of an exhausted quota. */
export const DAY_SECONDS = 86_400;

/** What the fault middleware needs of a request's context: the route's answer, once the route has given one. */
export type AnswerVariables = { answer?: unknown };

/** A JSON answer, with the headers every answer of the server carries. */
export const jsonBody = (status: number, body: string | null, headers: Record<string, string> = {}): Response =>
  new Response(body, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "x-tunelake-sample": "true", ...headers },
  });

/** Counts a switch with a `count` down; true when it applied. */
const consume = (fault: { count: number } | undefined): boolean => {
  if (!fault || fault.count <= 0) return false;
  fault.count--;
  return true;
};

/** The Web API faults around the routes; `faults()` is the server's switches now (a test may replace them). */
export function webApiFaults(faults: () => SampleFaults): MiddlewareHandler<{ Variables: AnswerVariables }> {
  return async (c, next) => {
    const now = faults();
    if (now.slow && (now.slow.count === undefined || now.slow.count > 0)) {
      if (now.slow.count !== undefined) now.slow.count--;
      await sleep(now.slow.ms);
    }
    if (now.premiumLapsed) throw new HttpError({ problem: "premiumRequired" });
    if (now.quota) throw new HttpError({ problem: "rateLimited", retryAfterSeconds: DAY_SECONDS, quotaExceeded: true });
    if (now.rateLimit && consume(now.rateLimit)) {
      throw new HttpError({ problem: "rateLimited", retryAfterSeconds: now.rateLimit.retryAfterSeconds ?? 1 });
    }
    if (now.serverError && consume(now.serverError)) {
      throw new HttpError({ problem: "unavailable", status: now.serverError.status ?? 503 });
    }
    const malformed = consume(now.malformed);
    await next();
    const answer = c.get("answer");
    const drift = faults().drift;
    const seed = drift ? (typeof drift === "object" ? (drift.seed ?? 1) : 1) : undefined;
    if (answer === undefined || (seed === undefined && !malformed)) return;
    const full = JSON.stringify(seed === undefined ? answer : driftResponse(answer, seed));
    c.res = jsonBody(200, malformed ? full.slice(0, Math.max(1, Math.floor(full.length / 2))) : full);
  };
}

/** The token endpoint's fault: a refresh token Spotify revoked answers `invalid_grant` (after the client is checked). */
export function tokenFaults(faults: () => SampleFaults): MiddlewareHandler {
  return async (c, next) => {
    const grant = new URLSearchParams(await c.req.text()).get("grant_type");
    if (faults().refreshTokenRevoked && grant === "refresh_token") {
      throw new OAuthError({ code: "invalid_grant", problem: "refreshTokenRevoked" });
    }
    await next();
  };
}
