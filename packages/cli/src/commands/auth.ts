import { readSpotifyEnv } from "@tunelake/core/config/env";
import { runAuthorizationCodeFlow } from "@tunelake/core/spotify/auth-flow";
import { cliEnv, type GlobalOptions, printJson, stderr, stdout } from "../context.ts";
import { UsageError } from "../errors.ts";

/** `tunelake auth`: prints a refresh token for user-scoped sources (recently played, top items). */
export async function authCommand(g: GlobalOptions, opts: { port: string; scopes?: string }): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`--port must be 1-65535, got "${opts.port}".`);
  const env = readSpotifyEnv(cliEnv());
  const refreshToken = await runAuthorizationCodeFlow({
    env,
    port,
    // Without --scopes, the flow asks for every scope the user sources declare (USER_SCOPES).
    scopes: opts.scopes?.split(/\s+/).filter(Boolean),
    print: (line: string) => stderr().write(`${line}\n`),
  });
  // The one place a secret is printed on purpose: the user asked for it, on stdout only.
  if (g.json) printJson({ refreshToken });
  else stdout().write(`SPOTIFY_REFRESH_TOKEN=${refreshToken}\n`);
}
