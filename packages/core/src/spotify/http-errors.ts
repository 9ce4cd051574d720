/**
 * Reading Spotify's error bodies (`{"error": {"status", "message", "reason"}}`, and the accounts service's OAuth
 * `{"error", "error_description"}`), naming the terminal ones, and wording when to retry.
 */
import * as v from "valibot";
import { SpotifyPremiumRequiredError, SpotifyRefreshTokenRevokedError } from "../errors.ts";
import { redactSecrets } from "../redact.ts";
import { ErrorBodySchema } from "./schemas.ts";

/** Spotify's answer to every call of an app whose owner's Premium lapsed (field report; SPOTIFY-API facts). */
const PREMIUM_REQUIRED = /do not have a Spotify Premium subscription/i;
/** `invalid_grant` descriptions of a refresh token that expired or was revoked (not one that never existed). */
const TOKEN_GONE = /revoked|expired/i;

/**
 * The named terminal error a refused request means, if any: `invalid_grant` for an expired or revoked refresh token
 * (on a refresh-token grant), or the 403 of a lapsed Premium subscription. `secrets` are redacted from what Spotify
 * wrote, as a hostile server may echo them.
 */
export function terminalSpotifyError(
  text: string,
  context: { endpoint: string; refreshGrant?: boolean; secrets?: readonly (string | undefined)[] },
): SpotifyRefreshTokenRevokedError | SpotifyPremiumRequiredError | undefined {
  if (PREMIUM_REQUIRED.test(spotifyErrorBody(text).message ?? "")) {
    return new SpotifyPremiumRequiredError({ endpoint: context.endpoint });
  }
  if (!context.refreshGrant) return undefined;
  let oauth: { error?: unknown; error_description?: unknown } = {};
  try {
    oauth = JSON.parse(text) as typeof oauth;
  } catch {
    return undefined;
  }
  const description = typeof oauth?.error_description === "string" ? oauth.error_description : "";
  if (oauth?.error !== "invalid_grant" || !TOKEN_GONE.test(description)) return undefined;
  return new SpotifyRefreshTokenRevokedError({
    description: redactSecrets(description.slice(0, 200), context.secrets ?? []),
  });
}

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
