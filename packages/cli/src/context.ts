/** Options every command shares, where the CLI writes, and how it turns errors into exit codes and messages. */
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import { TunelakeError } from "@tunelake/core/errors";
import { redactSecrets } from "@tunelake/core/redact";

/** The CLI's exit statuses (README "Exit status"). */
export const EXIT_CODES = { success: 0, pipelineFailure: 1, badInput: 2 } as const;

/** A stream the CLI writes to: process.stdout / stderr, or a test's collector. */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Where one CLI invocation reads its environment and writes its output (runCli's third argument). */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: NodeJS.ProcessEnv;
}

interface Invocation extends CliIo {
  exitCode: number;
  /** Set when a stop signal ended the command: the process entry exits at once, as a killed process would. */
  exitNow: boolean;
}

const invocations = new AsyncLocalStorage<Invocation>();

/** The current invocation; outside runCli (a command's module used on its own), none: the process's own. */
const current = (): Invocation | undefined => invocations.getStore();

/** The invocation's stdout. */
export const stdout = (): CliStream => current()?.stdout ?? process.stdout;
/** The invocation's stderr. */
export const stderr = (): CliStream => current()?.stderr ?? process.stderr;
/** The invocation's environment. */
export const cliEnv = (): NodeJS.ProcessEnv => current()?.env ?? process.env;

/** Sets the invocation's exit status (the last one set wins, as with process.exitCode). */
export function setExitCode(code: number): void {
  const invocation = current();
  // After a stop signal the status is the signal's, whatever the abandoned work reports afterwards.
  if (invocation?.exitNow) return;
  if (invocation) invocation.exitCode = code;
  else process.exitCode = code;
}

/** Ends the invocation with `code` at once: the process entry exits without waiting for abandoned work. */
export function exitNow(code: number): void {
  const invocation = current();
  if (!invocation) process.exit(code);
  invocation.exitCode = code;
  invocation.exitNow = true;
}

/** Runs `work` as one CLI invocation with `io`, and returns its exit status and whether it must exit now. */
export async function withInvocation(
  io: Partial<CliIo>,
  work: () => Promise<void>,
): Promise<{ code: number; exitNow: boolean }> {
  const inv: Invocation = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    ...io,
    exitCode: 0,
    exitNow: false,
  };
  await invocations.run(inv, work);
  return { code: inv.exitCode, exitNow: inv.exitNow };
}

/**
 * Output piped into a reader that stops early (`tunelake executions | head -1`): stop quietly, as Unix tools do,
 * instead of dying with an EPIPE stack trace.
 */
export function quietOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(current()?.exitCode ?? process.exitCode ?? EXIT_CODES.success);
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
  return path.resolve(flag ?? cliEnv().TUNELAKE_HOME ?? ".tunelake");
}

/** Secrets that must never reach the terminal. */
export function knownSecrets(env: NodeJS.ProcessEnv = cliEnv()): string[] {
  return [env.SPOTIFY_CLIENT_SECRET, env.SPOTIFY_REFRESH_TOKEN].filter((s): s is string => Boolean(s));
}

/** Prints an error the user can act on, never a stack for our own errors, and sets a non-zero exit code. */
export function reportError(error: unknown, json: boolean): void {
  const err = error instanceof Error ? error : new Error(String(error));
  const known = err instanceof TunelakeError;
  const message = redactSecrets(err.message, knownSecrets());
  if (json) {
    stdout().write(`${JSON.stringify({ error: err.name, message })}\n`);
  } else {
    stderr().write(`tunelake: ${err.name}: ${message}\n`);
    if (!known && cliEnv().TUNELAKE_DEBUG && err.stack) stderr().write(`${redactSecrets(err.stack, knownSecrets())}\n`);
  }
  setExitCode(exitCodeOf(err));
}

/** The exit status for an error: 2 when it says the input was wrong (its class's `badInput`), else 1. */
export function exitCodeOf(error: unknown): number {
  return error instanceof TunelakeError && error.badInput ? EXIT_CODES.badInput : EXIT_CODES.pipelineFailure;
}

/** Writes a JSON value as one document on stdout. */
export function printJson(value: unknown): void {
  stdout().write(`${JSON.stringify(value, null, 2)}\n`);
}
