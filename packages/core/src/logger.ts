/**
 * Logging port. In Lambda we use Powertools Logger (structured JSON, correlation ids); locally, a logger that writes
 * readable lines to stderr only at the level asked for. Never log secrets: pass ids and counts, not credentials.
 */
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  /**
   * Puts the Lambda invocation's context on every line written from now on (request id, function name and
   * version, memory, cold start): the handlers call it first thing in each invocation, as Powertools'
   * `injectLambdaContext` does.
   */
  addContext(context: Context): void;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/** A logger that writes `level message {extra}` lines to stderr. */
export function createConsoleLogger(
  level: LogLevel = "warn",
  write = (line: string) => process.stderr.write(line),
): Logger {
  const at =
    (name: Exclude<LogLevel, "silent">) =>
    (message: string, extra?: Record<string, unknown>): void => {
      if (LEVELS[name] < LEVELS[level]) return;
      write(`${name.padEnd(5)} ${message}${extra ? ` ${JSON.stringify(extra)}` : ""}\n`);
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    // Lines for a person at a terminal. The local engine runs several invocations at once through one logger, so a
    // request id kept here would label other invocations' lines too.
    addContext: () => {},
  };
}

/** A logger that discards everything (tests). */
export const silentLogger: Logger = createConsoleLogger("silent");

/**
 * Powertools Logger for Lambda: JSON lines with the function's context once {@link Logger.addContext} has been given
 * it. Lambda runs one invocation at a time per instance, so the context set at an invocation's start is that
 * invocation's until the next one sets its own.
 */
export function createLambdaLogger(serviceName: string): Logger {
  const logger = new PowertoolsLogger({ serviceName });
  return {
    debug: (m, e) => logger.debug(m, e ?? {}),
    info: (m, e) => logger.info(m, e ?? {}),
    warn: (m, e) => logger.warn(m, e ?? {}),
    error: (m, e) => logger.error(m, e ?? {}),
    addContext: (context) => logger.addContext(context),
  };
}
