/**
 * The errors of @tunelake/sample-api. They never leave the server: each becomes the HTTP answer Spotify gives in that
 * case (its status, headers and body shape), so the client meets the same failures as on the real API.
 */
import { TunelakeError } from "@tunelake/core/errors";

/** What Spotify answers (403) to every call of an app whose owner's Premium subscription lapsed (field report). */
export const PREMIUM_REQUIRED_MESSAGE =
  "Your application is blocked from accessing the Web API since you do not have a Spotify Premium subscription";

/** The Web API error answers the sample API gives, each with the fields its wording needs. */
export type WebApiProblem =
  | { problem: "noToken" | "invalidToken" | "expiredToken" }
  | { problem: "invalidParameter"; parameter: string }
  | { problem: "missingParameter"; parameter: string }
  | { problem: "noIds" | "tooManyIds" | "noSearchQuery" | "bothCursors" | "responseType" }
  | { problem: "invalidId"; id?: string }
  | { problem: "userTokenRequired" | "premiumRequired" | "methodNotAllowed" }
  | { problem: "forbidden"; area?: "batch" | "browse" | "playlistEntries" }
  | { problem: "notFound"; what: "service" | "resource" }
  | { problem: "rateLimited"; retryAfterSeconds: number; quotaExceeded?: boolean }
  | { problem: "unavailable"; status: number }
  | { problem: "invalidClient"; detail: "client" | "redirectUri" | "insecureRedirectUri" };

const FORBIDDEN_AREAS = {
  batch: "batch endpoints are not available to this app",
  browse: "browse endpoints are not available to this app",
  playlistEntries: "playlist entries are only available for your own playlists",
} as const;
const INVALID_CLIENT = {
  client: "Invalid client",
  redirectUri: "Invalid redirect URI",
  insecureRedirectUri: "Insecure redirect URI (use http://127.0.0.1:PORT)",
} as const;

/** Spotify's status and wording for a problem (the `message` of its `{ error: { status, message } }` body). */
function answerOf(fields: WebApiProblem): { status: number; message: string } {
  switch (fields.problem) {
    case "noToken":
      return { status: 401, message: "No token provided" };
    case "invalidToken":
      return { status: 401, message: "Invalid access token" };
    case "expiredToken":
      return { status: 401, message: "The access token expired" };
    case "invalidParameter":
      return { status: 400, message: `Invalid ${fields.parameter}` };
    case "missingParameter":
      return { status: 400, message: `Missing or invalid parameter ${fields.parameter}` };
    case "noIds":
      return { status: 400, message: "No ids provided" };
    case "tooManyIds":
      return { status: 400, message: "Too many ids requested" };
    case "noSearchQuery":
      return { status: 400, message: "No search query" };
    case "bothCursors":
      return { status: 400, message: "Only one of after and before may be set" };
    case "responseType":
      return { status: 400, message: "response_type must be code" };
    case "invalidId":
      return {
        status: 400,
        message: fields.id === undefined ? "Invalid base62 id" : `Invalid base62 id: ${fields.id}`,
      };
    case "userTokenRequired":
      return { status: 403, message: "This endpoint needs a user token: run `tunelake auth`" };
    case "premiumRequired":
      return { status: 403, message: PREMIUM_REQUIRED_MESSAGE };
    case "methodNotAllowed":
      return { status: 405, message: "Method not allowed" };
    case "forbidden":
      return { status: 403, message: fields.area ? `Forbidden: ${FORBIDDEN_AREAS[fields.area]}` : "Forbidden" };
    case "notFound":
      return { status: 404, message: fields.what === "service" ? "Service not found" : "Resource not found" };
    case "rateLimited":
      return { status: 429, message: "API rate limit exceeded" };
    case "unavailable":
      return { status: fields.status, message: "Service unavailable" };
    case "invalidClient":
      return { status: 400, message: `INVALID_CLIENT: ${INVALID_CLIENT[fields.detail]}` };
  }
}

/**
 * A Web API error answer: `{ error: { status, message, reason? } }` with its status and headers, worded as Spotify
 * words it for the problem.
 */
export class HttpError extends TunelakeError {
  readonly problem: WebApiProblem["problem"];
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly reason: string | undefined;
  constructor(fields: WebApiProblem) {
    const { status, message } = answerOf(fields);
    super(message);
    this.problem = fields.problem;
    this.status = status;
    this.headers = fields.problem === "rateLimited" ? { "Retry-After": String(fields.retryAfterSeconds) } : {};
    this.reason = fields.problem === "rateLimited" && fields.quotaExceeded ? "QUOTA_EXCEEDED" : undefined;
  }
}

/** An accounts-service token error, each with the fields its wording needs. */
export type OAuthProblem =
  | { code: "invalid_client" }
  | { code: "invalid_grant"; problem: "refreshTokenRevoked" | "unknownRefreshToken" | "unknownCode" }
  | { code: "unsupported_grant_type"; grant: string | null };

const INVALID_GRANT = {
  refreshTokenRevoked: "Refresh token revoked",
  unknownRefreshToken: "Invalid refresh token",
  unknownCode: "Invalid authorization code",
} as const;

/** An accounts-service (OAuth 2.0, RFC 6749 §5.2) error answer: `{ error, error_description }`, status 400. */
export class OAuthError extends TunelakeError {
  readonly status = 400;
  readonly code: OAuthProblem["code"];
  constructor(fields: OAuthProblem) {
    super(
      fields.code === "invalid_client"
        ? "Invalid client"
        : fields.code === "invalid_grant"
          ? INVALID_GRANT[fields.problem]
          : `grant_type ${fields.grant ?? "(none)"} is not supported`,
    );
    this.code = fields.code;
  }
}

/** A world date the sample world cannot answer for: not a calendar date, or past the world's end. */
export class SampleWorldDateError extends TunelakeError {
  static override readonly badInput = true;
  readonly date: string;
  constructor(fields: { date: string; problem: string }) {
    super(
      `The sample world date "${fields.date}" ${fields.problem}: pass a YYYY-MM-DD date (a run's --date) or none for the base world.`,
    );
    this.date = fields.date;
  }
}
