/**
 * Spotify credentials and endpoints from the environment, read once and checked (README "Configuration" lists the variables).
 * Secrets are kept out of `toString`/JSON so that logging the object cannot leak them.
 */
import { ConfigError } from "../errors.ts";

export const DEFAULT_API_BASE_URL = "https://api.spotify.com/v1";
export const DEFAULT_ACCOUNTS_BASE_URL = "https://accounts.spotify.com";

export interface SpotifyEnv {
  clientId: string;
  clientSecret: string;
  refreshToken: string | undefined;
  apiBaseUrl: string;
  accountsBaseUrl: string;
}

function baseUrl(value: string | undefined, fallback: string, name: string): string {
  const raw = value?.trim() || fallback;
  try {
    const url = new URL(raw);
    if (url.protocol === "https:" || url.protocol === "http:") return raw.replace(/\/+$/, "");
  } catch {
    // Not a URL at all: the same error as another protocol.
  }
  throw new ConfigError({ reason: "notHttpUrl", variable: name, value: raw, fallback });
}

const CREDENTIAL_VARIABLES = ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"] as const;

/**
 * Whether `env` asks for the real Spotify API: true when both client credentials are set, false when no `SPOTIFY_*`
 * variable is. Anything in between (one of the two, one set to an empty value, or another `SPOTIFY_*` variable such
 * as SPOTIFY_REFRESH_TOKEN or SPOTIFY_API_BASE_URL without the credentials) is a ConfigError naming the variables, so
 * that a typo or a half-copied environment never falls back to sample data silently.
 */
export function requestsSpotifyCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  const present = CREDENTIAL_VARIABLES.filter((name) => env[name] !== undefined);
  const others = Object.keys(env)
    .filter((name) => name.startsWith("SPOTIFY_") && !(CREDENTIAL_VARIABLES as readonly string[]).includes(name))
    .filter((name) => Boolean(env[name]?.trim()))
    .sort();
  if (present.length === 0 && others.length === 0) return false;
  if (present.length === 0) {
    throw new ConfigError({ reason: "credentialsNotSet", others });
  }
  const empty = present.filter((name) => !env[name]?.trim());
  if (empty.length > 0) {
    throw new ConfigError({ reason: "credentialsEmpty", empty });
  }
  const missing = CREDENTIAL_VARIABLES.filter((name) => env[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError({ reason: "credentialsHalfSet", present, missing });
  }
  return true;
}

/** True when client credentials are present in `env`. */
export function hasSpotifyCredentials(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.SPOTIFY_CLIENT_ID?.trim() && env.SPOTIFY_CLIENT_SECRET?.trim());
}

/** Reads Spotify settings from `env`; throws ConfigError naming the variable when credentials are missing or half-set. */
export function readSpotifyEnv(env: NodeJS.ProcessEnv = process.env): SpotifyEnv {
  // Throws on half-set credentials; when neither is set, both are undefined below.
  requestsSpotifyCredentials(env);
  const clientId = env.SPOTIFY_CLIENT_ID?.trim();
  const clientSecret = env.SPOTIFY_CLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) {
    throw new ConfigError({ reason: "credentialsMissing" });
  }
  const secrets = { clientSecret, refreshToken: env.SPOTIFY_REFRESH_TOKEN?.trim() || undefined };
  const result: SpotifyEnv = {
    clientId,
    apiBaseUrl: baseUrl(env.SPOTIFY_API_BASE_URL, DEFAULT_API_BASE_URL, "SPOTIFY_API_BASE_URL"),
    accountsBaseUrl: baseUrl(env.SPOTIFY_ACCOUNTS_BASE_URL, DEFAULT_ACCOUNTS_BASE_URL, "SPOTIFY_ACCOUNTS_BASE_URL"),
    clientSecret: secrets.clientSecret,
    refreshToken: secrets.refreshToken,
  };
  // Non-enumerable secrets: JSON.stringify and console.log of the object do not show them.
  Object.defineProperty(result, "clientSecret", { value: secrets.clientSecret, enumerable: false });
  Object.defineProperty(result, "refreshToken", { value: secrets.refreshToken, enumerable: false });
  return result;
}
