/**
 * What a local run needs before the engine starts, made once by the local `Runs` on its first start or redrive: the
 * config (loaded and checked first), then the Spotify source (the sample API started when there are no credentials),
 * then the handlers over them. Nothing is requested or written before both are known good.
 */
import { loadConfig } from "@tunelake/core/config/load";
import type { Config } from "@tunelake/core/config/schema";
import type { Logger } from "@tunelake/core/logger";
import type { FaultName } from "./faults/index.ts";
import { createLocalHandlers, type LocalHandlers } from "./handlers.ts";
import { resolveSource, type SourceFlag } from "./spotify-source.ts";

/** Where a local run's config and Spotify data come from (the CLI's `--config` and `--source`). */
export interface LocalRunSetup {
  /** The config file. */
  config: string;
  source: SourceFlag;
  /** Where the Spotify credentials and the sample API's settings are read. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Told what a person must know before the run starts: that the data is the sample API's. */
  notice?: (text: string) => void;
  /** Told the config once it is loaded (the extract's progress bar plans from it). */
  onConfig?: (config: Config) => void;
}

export interface PreparedRun {
  handlers: LocalHandlers;
  /** Stops the sample API when one was started. */
  close(): Promise<void>;
}

/**
 * Loads the config, starts the Spotify source with the spotify-* faults (the sample API's world on the run `date`),
 * and makes the handlers.
 */
export async function prepareLocalRun(
  home: string,
  faults: readonly FaultName[],
  setup: LocalRunSetup,
  date?: string,
): Promise<PreparedRun> {
  // The config is checked before the Spotify source starts, and both before any request or file.
  const config = await loadConfig(setup.config);
  const source = await resolveSource(setup.source, faults, setup.env, date);
  if (source.banner) setup.notice?.(source.banner);
  setup.onConfig?.(config);
  const handlers = createLocalHandlers({
    home,
    config,
    spotify: source.spotify,
    dataSource: source.dataSource,
    logger: setup.logger,
  });
  return { handlers, close: () => source.close() };
}
