/** Extract Lambda: Spotify -> raw zone, one time slice per invocation. A few lines around core's runExtract. */

import type { SpotifyEnv } from "@tunelake/core/config/env";
import type { Config } from "@tunelake/core/config/schema";
import { runExtract } from "@tunelake/core/extract/run-extract";
import type { Logger } from "@tunelake/core/logger";
import type { ExtractResult } from "@tunelake/core/pipeline-types";
import type { ObjectStore } from "@tunelake/core/storage/object-store";
import { ExtractEventSchema, parseEvent } from "./input.ts";

export interface ExtractDeps {
  config: Config;
  raw: ObjectStore;
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  logger: Logger;
}

/** What the handler needs of the Lambda context: how long the invocation may still run. */
export interface ExtractLambdaContext {
  getRemainingTimeInMillis(): number;
  /** Local engine only: the injected extract-crash fault. */
  injectedCrash?: { afterRequests: number; checkpointEveryRequests: number };
}

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
    });
  };
}

export const handler = createExtractHandler(async () => (await import("./lambda-deps.ts")).extractDeps());
