/** Transform Lambda: one entity's raw objects -> curated Parquet with DuckDB. */
import { NoRawDataError } from "@tunelake/core/errors";
import { manifestKey } from "@tunelake/core/lake";
import type { TransformResult } from "@tunelake/core/pipeline-types";
import { runTransform } from "@tunelake/core/transform/run-transform";
import type { Context } from "aws-lambda";
import type { TransformDeps } from "./handler-deps.ts";
import { parseEvent, TransformEventSchema } from "./input.ts";

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createTransformHandler(
  deps: () => Promise<TransformDeps>,
): (event: unknown, context?: Context) => Promise<TransformResult> {
  let resolved: Promise<TransformDeps> | undefined;
  return async (event, context) => {
    const { date, entity } = parseEvent(TransformEventSchema, event, "transform");
    resolved ??= deps();
    const { raw, curated, workDir, memoryLimitMb, threads, logger } = await resolved;
    // Every line of this invocation carries its request id (Lambda always passes the context; the local engine too).
    if (context) logger.addContext(context);
    // Extract always writes a manifest. Without one the date was never extracted (a typo in a reprocess date, or a
    // raw zone that was removed): transforming it would replace the date's curated tables with empty ones.
    if ((await raw.list(manifestKey(date))).length === 0) {
      throw new NoRawDataError({ date, location: raw.location, manifest: manifestKey(date) });
    }
    return runTransform({
      entity,
      date,
      raw,
      curated,
      workDir: `${workDir}/${entity}-${date}`,
      memoryLimitMb,
      threads,
      logger,
    });
  };
}

export const handler = createTransformHandler(async () => (await import("./lambda-deps.ts")).transformDeps());
