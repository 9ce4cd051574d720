/** Transform Lambda: one entity's raw objects -> curated Parquet with DuckDB. */
import { NoRawDataError } from "@tunelake/core/errors";
import { manifestKey } from "@tunelake/core/lake";
import type { Logger } from "@tunelake/core/logger";
import type { TransformResult } from "@tunelake/core/pipeline-types";
import type { ObjectStore } from "@tunelake/core/storage/object-store";
import { runTransform } from "@tunelake/core/transform/run-transform";
import { parseEvent, TransformEventSchema } from "./input.ts";

export interface TransformDeps {
  raw: ObjectStore;
  curated: ObjectStore;
  /** Scratch space for DuckDB (home, temp files, downloads): /tmp in Lambda. */
  workDir: string;
  memoryLimitMb?: number;
  threads?: number;
  logger: Logger;
}

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createTransformHandler(
  deps: () => Promise<TransformDeps>,
): (event: unknown) => Promise<TransformResult> {
  let resolved: Promise<TransformDeps> | undefined;
  return async (event) => {
    const { date, entity } = parseEvent(TransformEventSchema, event, "transform");
    resolved ??= deps();
    const { raw, curated, workDir, memoryLimitMb, threads, logger } = await resolved;
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
