/**
 * The one redaction every error message goes through before it is printed or stored (the CLI's error output, the
 * local engine's execution records, history and outbox, the Lambda handlers' errors): the Spotify secrets of the
 * environment, every access token this process received, and anything shaped like a credential (an Authorization
 * header value, `access_token` / `refresh_token` / `client_secret` fields in JSON or a form body) become `***`.
 */

/** Access tokens received at run time; the newest few (one per kind and hour in practice). */
const learned: string[] = [];
const LEARNED_MAX = 32;

/** Remembers a token this process received (an access token), so that it is redacted wherever it is echoed. */
export function rememberSecret(value: string | undefined): void {
  if (!value || value.length < 8 || learned.includes(value)) return;
  learned.push(value);
  if (learned.length > LEARNED_MAX) learned.shift();
}

const ENV_SECRETS = ["SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"] as const;

/** `Authorization: Bearer x` / `Basic x`, and credential fields as JSON (`"access_token": "x"`) or form (`refresh_token=x`). */
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/\b(Bearer|Basic)(\s+)[A-Za-z0-9._~+/=-]{4,}/gi, "$1$2***"],
  [
    /((?:access|refresh|id)_token|client_secret|authorization)("?\s*[:=]\s*"?)(?!\*\*\*|Bearer\b|Basic\b)[^"&\s,;}]{4,}/gi,
    "$1$2***",
  ],
];

/**
 * `text` with every known secret (the SPOTIFY_CLIENT_SECRET and SPOTIFY_REFRESH_TOKEN of `env`, learned access
 * tokens, `extra`) and every credential-shaped value replaced by `***`.
 */
export function redactSecrets(
  text: string,
  extra: readonly (string | undefined)[] = [],
  env: NodeJS.ProcessEnv = process.env,
): string {
  let out = text;
  const secrets = [...ENV_SECRETS.map((name) => env[name]?.trim()), ...learned, ...extra];
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of secrets
    .filter((s): s is string => Boolean(s && s.length >= 4))
    .sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join("***");
  }
  for (const [shape, replacement] of SHAPES) out = out.replace(shape, replacement);
  return out;
}
