/**
 * A user refresh token's lifetime: Spotify expires it 6 months after the original authorization (refreshing does not
 * extend it), after which the token endpoint answers `invalid_grant`. README "Spotify credentials".
 */

/** Months from authorization to expiry. */
export const REFRESH_TOKEN_LIFETIME_MONTHS = 6;
/** How long before expiry tunelake starts warning. */
export const REFRESH_TOKEN_WARNING_DAYS = 30;

const DAY_MS = 86_400_000;

export interface RefreshTokenAge {
  /** When Spotify will stop honouring it. */
  expiresAt: Date;
  /** Whole days until then (negative once expired). */
  daysLeft: number;
  state: "valid" | "expiring" | "expired";
}

/** The expiry of a refresh token authorized at `authorizedAt`, as seen at `now`. */
export function refreshTokenAge(authorizedAt: Date, now: Date = new Date()): RefreshTokenAge {
  const expiresAt = new Date(authorizedAt);
  expiresAt.setUTCMonth(expiresAt.getUTCMonth() + REFRESH_TOKEN_LIFETIME_MONTHS);
  const daysLeft = Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS);
  const state = now >= expiresAt ? "expired" : daysLeft < REFRESH_TOKEN_WARNING_DAYS ? "expiring" : "valid";
  return { expiresAt, daysLeft, state };
}

/**
 * What to tell a user about a token's age: nothing while it is valid, else when it expires and `renew`, the command
 * that gets a new one where this token is used (locally `npx tunelake auth`; on a stage, that and `sst secrets set`).
 */
export function refreshTokenWarning(age: RefreshTokenAge, renew: string): string | undefined {
  const day = age.expiresAt.toISOString().slice(0, 10);
  if (age.state === "expiring") {
    return `SPOTIFY_REFRESH_TOKEN expires on ${day} (in ${age.daysLeft} days): get a new one with ${renew} before then`;
  }
  if (age.state === "expired") {
    return `SPOTIFY_REFRESH_TOKEN expired on ${day} (6 months after it was authorized): get a new one with ${renew}`;
  }
  return undefined;
}
