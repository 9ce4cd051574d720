/**
 * Reading Spotify's error bodies (`{"error": {"status", "message", "reason"}}`) and wording when to retry.
 */
import * as v from "valibot";
import { ErrorBodySchema } from "./schemas.ts";

/** Spotify's `message` and `reason` from an error body; empty when the body is not Spotify's error shape. */
export function spotifyErrorBody(text: string): { message?: string; reason?: string } {
  try {
    const parsed = v.safeParse(ErrorBodySchema, JSON.parse(text));
    if (parsed.success) return { message: parsed.output.error.message, reason: parsed.output.error.reason };
  } catch {
    // Not JSON: fall through to an empty description.
  }
  return {};
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
