/**
 * The handlers as the local engine runs them: the same factories as in Lambda, with the filesystem standing in for
 * the raw and curated buckets under `<home>/lake/`.
 */
import path from "node:path";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import type { Config } from "@tunelake/core/config/schema";
import type { Logger } from "@tunelake/core/logger";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { createExtractHandler, type ExtractLambdaContext } from "@tunelake/functions/extract";
import { createTransformHandler } from "@tunelake/functions/transform";
import { localPaths } from "./paths.ts";

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
  const { raw } = localStores(options.home);
  const { config, spotify, dataSource, logger } = options;
  return {
    extract: createExtractHandler(async () => ({ config, raw, spotify, dataSource, logger })),
    transform: createLocalTransformHandler(options.home, logger),
  };
}

/** The engine's Transform handler alone, over the local lake (what a reprocess, which never extracts, needs). */
export function createLocalTransformHandler(home: string, logger: Logger): (input: unknown) => Promise<unknown> {
  const { raw, curated } = localStores(home);
  return createTransformHandler(async () => ({
    raw,
    curated,
    workDir: path.join(home, "tmp"),
    // Six entities transform at once on a laptop: keep each DuckDB modest.
    threads: 2,
    memoryLimitMb: 1024,
    logger,
  }));
}
