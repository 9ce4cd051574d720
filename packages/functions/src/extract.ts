/** Extract Lambda: Spotify -> raw zone. A few lines around core's runExtract. */

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

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createExtractHandler(deps: () => Promise<ExtractDeps>): (event: unknown) => Promise<ExtractResult> {
  let resolved: Promise<ExtractDeps> | undefined;
  return async (event) => {
    const { date } = parseEvent(ExtractEventSchema, event, "extract");
    resolved ??= deps();
    const { config, raw, spotify, dataSource, logger } = await resolved;
    return runExtract({ config, date, store: raw, spotify, dataSource, logger });
  };
}

export const handler = createExtractHandler(async () => (await import("./lambda-deps.ts")).extractDeps());
