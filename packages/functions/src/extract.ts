/** Extract Lambda: Spotify -> raw zone, one time slice per invocation. A few lines around core's runExtract. */

import { runExtract } from "@tunelake/core/extract/run-extract";
import type { ExtractResult } from "@tunelake/core/pipeline-types";
import { redactSecrets } from "@tunelake/core/redact";
import type { Context } from "aws-lambda";
import type { ExtractDeps } from "./handler-deps.ts";
import { ExtractEventSchema, parseEvent } from "./input.ts";

/**
 * The Lambda context (the request id goes on every log line; the remaining time bounds the slice). The local engine
 * passes one of the same shape, and its extract-crash fault wrapper (@tunelake/local/faults) adds `injectedCrash`.
 */
export type ExtractLambdaContext = Context & {
  /** The extract dies at this request, checkpointing every `checkpointEveryRequests` (local fault injection only). */
  injectedCrash?: { afterRequests: number; checkpointEveryRequests: number };
};

/** Time kept back from the deadline: a quarter of it, at most a minute (to finish running units and checkpoint). */
export function sliceOf(remainingMs: number, nowMs = Date.now()): { stopAt: number; abandonAt: number } {
  const reserve = Math.min(60_000, remainingMs / 4);
  return { stopAt: nowMs + remainingMs - reserve, abandonAt: nowMs + remainingMs - reserve / 2 };
}

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createExtractHandler(
  deps: () => Promise<ExtractDeps>,
): (event: unknown, context?: ExtractLambdaContext) => Promise<ExtractResult> {
  let resolved: Promise<ExtractDeps> | undefined;
  return async (event, context) => {
    const { date, execution, refetch } = parseEvent(ExtractEventSchema, event, "extract");
    resolved ??= deps();
    const { config, raw, spotify, dataSource, logger } = await resolved;
    if (context) logger.addContext(context);
    const slice = context ? sliceOf(context.getRemainingTimeInMillis()) : undefined;
    const crash = context?.injectedCrash;
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
      crashAfterRequests: crash?.afterRequests,
      checkpointEveryRequests: crash?.checkpointEveryRequests,
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
