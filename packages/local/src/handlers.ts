/**
 * The handlers as the local engine runs them: the same factories as in Lambda, with the filesystem standing in for
 * the raw and curated buckets under `<home>/lake/`.
 */
import path from "node:path";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import type { Config } from "@tunelake/core/config/schema";
import type { Logger } from "@tunelake/core/logger";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { createExtractHandler } from "@tunelake/functions/extract";
import { createTransformHandler } from "@tunelake/functions/transform";
import type { Context } from "aws-lambda";
import { NotifyingFsObjectStore } from "./crawl-events.ts";
import { localPaths } from "./paths.ts";

/** What the local engine gives a handler in place of Lambda's context: the same fields (lambda-context.ts). */
export type LocalLambdaContext = Context;

/** The Lambda handlers, called in-process with the Lambda payload and a context; they return what the Lambda would. */
export interface LocalHandlers {
  extract(input: unknown, context?: LocalLambdaContext): Promise<unknown>;
  transform(input: unknown, context?: Context): Promise<unknown>;
}

export interface LocalHandlerOptions {
  home: string;
  config: Config;
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  logger: Logger;
}

/**
 * The local lake's stores. Writes to the curated one send the S3 event notifications the crawler consumes
 * (crawl-events.ts), as the curated bucket does on AWS.
 */
export function localStores(home: string): { raw: FsObjectStore; curated: FsObjectStore } {
  const paths = localPaths(home);
  return { raw: new FsObjectStore(paths.raw), curated: new NotifyingFsObjectStore(paths.curated, home) };
}

/** Handlers for the engine's Lambda states, called in-process. */
export function createLocalHandlers(options: LocalHandlerOptions): LocalHandlers {
  const { raw } = localStores(options.home);
  const { config, spotify, dataSource, logger } = options;
  return {
    extract: createExtractHandler(async () => ({ config, raw, spotify, dataSource, logger })),
    transform: createLocalTransformHandler(options.home, logger),
  };
}

/** The engine's Transform handler alone, over the local lake (what a reprocess, which never extracts, needs). */
export function createLocalTransformHandler(home: string, logger: Logger): LocalHandlers["transform"] {
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
