/** Options every command shares, and how the CLI turns errors into exit codes and messages. */
import path from "node:path";
import { TunelakeError } from "@tunelake/core/errors";
import { redactSecrets } from "@tunelake/core/redact";

/** The CLI's exit statuses (README "Exit status"). */
export const EXIT_CODES = { success: 0, pipelineFailure: 1, badInput: 2 } as const;

/**
 * Output piped into a reader that stops early (`tunelake executions | head -1`): stop quietly, as Unix tools do,
 * instead of dying with an EPIPE stack trace.
 */
export function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT_CODES.success);
      throw error;
    });
  }
}

/** The exit status of a process killed by each stop signal (128 + the signal's number). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Runs `work` while Ctrl-C (SIGINT) or a kill (SIGTERM) aborts `stop` (the reason is the signal's name) instead of
 * killing the process; the listeners are gone afterwards, so a second signal gets Node's default.
 */
export async function whileStoppable<T>(stop: AbortController, work: () => Promise<T>): Promise<T> {
  const listener = (name: NodeJS.Signals) => stop.abort(name);
  for (const name of Object.keys(SIGNAL_EXIT_CODES)) process.once(name, listener);
  try {
    return await work();
  } finally {
    for (const name of Object.keys(SIGNAL_EXIT_CODES)) process.removeListener(name, listener);
  }
}

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
  const message = redactSecrets(err.message, knownSecrets());
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: err.name, message })}\n`);
  } else {
    process.stderr.write(`tunelake: ${err.name}: ${message}\n`);
    if (!known && process.env.TUNELAKE_DEBUG && err.stack)
      process.stderr.write(`${redactSecrets(err.stack, knownSecrets())}\n`);
  }
  process.exitCode = exitCodeOf(err);
}

/** The exit status for an error: 2 when it says the input was wrong (its class's `badInput`), else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof TunelakeError && error.badInput ? EXIT_CODES.badInput : EXIT_CODES.pipelineFailure;
}

/** Writes a JSON value as one document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
