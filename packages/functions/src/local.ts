/**
 * The handlers as the local engine runs them: the same factories as in Lambda, with the filesystem standing in for
 * the raw and curated buckets under `<home>/lake/`.
 */
import path from "node:path";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import type { Config } from "@tunelake/core/config/schema";
import { localPaths } from "@tunelake/core/local/paths";
import type { Logger } from "@tunelake/core/logger";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { createExtractHandler, type ExtractLambdaContext } from "./extract.ts";
import { createTransformHandler } from "./transform.ts";

export interface LocalHandlerOptions {
  home: string;
  config: Config;
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  logger: Logger;
}

/** The local lake's stores. */
export function localStores(home: string): { raw: FsObjectStore; curated: FsObjectStore } {
  const paths = localPaths(home);
  return { raw: new FsObjectStore(paths.raw), curated: new FsObjectStore(paths.curated) };
}

/** Handlers for the engine's Lambda states, called in-process. */
export function createLocalHandlers(options: LocalHandlerOptions): {
  extract: (input: unknown, context?: ExtractLambdaContext) => Promise<unknown>;
  transform: (input: unknown) => Promise<unknown>;
} {
  const { raw, curated } = localStores(options.home);
  const { config, spotify, dataSource, logger } = options;
  return {
    extract: createExtractHandler(async () => ({ config, raw, spotify, dataSource, logger })),
    transform: createTransformHandler(async () => ({
      raw,
      curated,
      workDir: path.join(options.home, "tmp"),
      // Six entities transform at once on a laptop: keep each DuckDB modest.
      threads: 2,
      memoryLimitMb: 1024,
      logger,
    })),
  };
}
