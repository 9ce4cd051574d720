/**
 * The errors of @tunelake/sample-api. They never leave the server: each becomes the HTTP answer Spotify gives in that
 * case (its status, headers and body shape), so the client meets the same failures as on the real API.
 */
import { TunelakeError } from "@tunelake/core/errors";

/** A Web API error answer: `{ error: { status, message, reason? } }` with the given status and headers. */
export class HttpError extends TunelakeError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly reason: string | undefined;
  constructor(status: number, message: string, headers: Record<string, string> = {}, reason?: string) {
    super(message);
    this.status = status;
    this.headers = headers;
    this.reason = reason;
  }
}

/** An accounts-service (OAuth 2.0, RFC 6749 §5.2) error answer: `{ error, error_description }`. */
export class OAuthError extends TunelakeError {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
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
