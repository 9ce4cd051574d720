/** Extract Lambda: Spotify -> raw zone, one time slice per invocation. A few lines around core's runExtract. */

import { runExtract } from "@tunelake/core/extract/run-extract";
import type { ExtractResult } from "@tunelake/core/pipeline-types";
import { redactSecrets } from "@tunelake/core/redact";
import type { Context } from "aws-lambda";
import type { ExtractDeps } from "./handler-deps.ts";
import { ExtractEventSchema, parseEvent } from "./input.ts";

/** Time kept back from the deadline: a quarter of it, at most a minute (to finish running units and checkpoint). */
const reserveOf = (remainingMs: number) => Math.min(60_000, remainingMs / 4);

/** The slice of `remainingMs` from `nowMs`: no unit starts after `stopAt`, running ones are dropped at `abandonAt`. */
export function sliceOf(remainingMs: number, nowMs = Date.now()): { stopAt: number; abandonAt: number } {
  const reserve = reserveOf(remainingMs);
  return { stopAt: nowMs + remainingMs - reserve, abandonAt: nowMs + remainingMs - reserve / 2 };
}

/**
 * The slice of one invocation, as {@link sliceOf} of the remaining time at its start, with the deadline read from the
 * Lambda context each time the extract asks. Lambda's deadline never moves, so this is the same slice; a context
 * whose time runs out sooner (the local engine's, Lambda's shape) ends the slice then.
 */
export function contextSlice(context: Pick<Context, "getRemainingTimeInMillis">): {
  stopAt: number;
  abandonAt: number;
} {
  const reserve = reserveOf(context.getRemainingTimeInMillis());
  const deadline = () => Date.now() + context.getRemainingTimeInMillis();
  return {
    get stopAt() {
      return deadline() - reserve;
    },
    get abandonAt() {
      return deadline() - reserve / 2;
    },
  };
}

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createExtractHandler(
  deps: () => Promise<ExtractDeps>,
): (event: unknown, context?: Context) => Promise<ExtractResult> {
  let resolved: Promise<ExtractDeps> | undefined;
  return async (event, context) => {
    const { date, execution, refetch } = parseEvent(ExtractEventSchema, event, "extract");
    resolved ??= deps();
    const { config, raw, spotify, dataSource, logger } = await resolved;
    if (context) logger.addContext(context);
    // The request id goes on every log line; the remaining time bounds the slice.
    const slice = context ? contextSlice(context) : undefined;
    return runExtract({
      config,
      date,
      store: raw,
      spotify,
      dataSource,
      logger,
      slice,
      execution,
      refetch,
    }).catch((error: unknown) => {
      // Step Functions stores the message (and the Lambda's trace) in the execution's history: nothing
      // credential-like leaves the Lambda.
      if (error instanceof Error) {
        const known = [spotify.clientSecret, spotify.refreshToken];
        error.message = redactSecrets(error.message, known);
        if (error.stack) error.stack = redactSecrets(error.stack, known);
      }
      throw error;
    });
  };
}

export const handler = createExtractHandler(async () => (await import("./lambda-deps.ts")).extractDeps());
