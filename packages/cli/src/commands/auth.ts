import { hasSpotifyCredentials, readSpotifyEnv } from "@tunelake/core/config/env";
import { ConfigError } from "@tunelake/core/errors";
import { runAuthorizationCodeFlow } from "@tunelake/core/spotify/auth-flow";
import { recordRefreshToken } from "../auth-record.ts";
import { cliEnv, type GlobalOptions, printJson, stderr, stdout } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `tunelake auth`: prints a refresh token for user-scoped sources (recently played, top items). */
export async function authCommand(g: GlobalOptions, opts: { port: string; scopes?: string }): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError({ reason: "outOfRange", flag: "--port", value: String(opts.port), min: 1, max: 65535 });
  // Checked here rather than by readSpotifyEnv, whose advice (`--source sample`) is for runs: auth has no sample mode.
  if (!hasSpotifyCredentials(cliEnv())) {
    throw new ConfigError({ reason: "authNeedsCredentials" });
  }
  const env = readSpotifyEnv(cliEnv());
  const refreshToken = await runAuthorizationCodeFlow({
    env,
    port,
    // Without --scopes, the flow asks for every scope the user sources declare (USER_SCOPES).
    scopes: opts.scopes?.split(/\s+/).filter(Boolean),
    print: (line: string) => stderr().write(`${line}\n`),
  });
  // When it was issued, for `tunelake doctor` (a fingerprint, never the token).
  await recordRefreshToken(g.home, refreshToken);
  // The one place a secret is printed on purpose: the user asked for it, on stdout only.
  if (g.json) printJson({ refreshToken });
  else stdout().write(`SPOTIFY_REFRESH_TOKEN=${refreshToken}\n`);
}
