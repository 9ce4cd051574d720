/** Options every command shares, and how the CLI turns errors into exit codes and messages. */
import path from "node:path";
import { redact } from "@tunelake/core/config/env";
import { TunelakeError } from "@tunelake/core/errors";

export interface GlobalOptions {
  home: string;
  json: boolean;
}

/** `--home`, else TUNELAKE_HOME, else `.tunelake` in the current directory. */
export function resolveHome(flag: string | undefined): string {
  return path.resolve(flag ?? process.env.TUNELAKE_HOME ?? ".tunelake");
}

/** Secrets that must never reach the terminal. */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return [env.SPOTIFY_CLIENT_SECRET, env.SPOTIFY_REFRESH_TOKEN].filter((s): s is string => Boolean(s));
}

/** Prints an error the user can act on, never a stack for our own errors, and sets a non-zero exit code. */
export function reportError(error: unknown, json: boolean): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const known = err instanceof TunelakeError;
  const message = redact(err.message, knownSecrets());
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: err.name, message })}\n`);
  } else {
    process.stderr.write(`tunelake: ${err.name}: ${message}\n`);
    if (!known && process.env.TUNELAKE_DEBUG && err.stack)
      process.stderr.write(`${redact(err.stack, knownSecrets())}\n`);
  }
  process.exitCode = err.name === "ConfigError" ? 2 : 1;
}

/** Writes a JSON value as one document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
