/**
 * The backend a command drives, picked once from `--stage`: the laptop (the embedded engine, the executions store,
 * DuckDB under `--home`) or a deployed stage (Step Functions, Athena). Commands use only the ports it returns, so
 * they print the same in both modes.
 */

import { createCloudClients, destroyCloudClients } from "@tunelake/aws/cloud-clients";
import { createAwsQueryEngine } from "@tunelake/aws/query-engine";
import { resolveStage } from "@tunelake/aws/resolve-stage";
import { createAwsRuns } from "@tunelake/aws/runs";
import { loadConfig } from "@tunelake/core/config/load";
import type { Config } from "@tunelake/core/config/schema";
import { createConsoleLogger } from "@tunelake/core/logger";
import type { ObjectStore, QueryEngine, Runs } from "@tunelake/core/ports";
import { type QueryLimits, readQueryLimits } from "@tunelake/core/query-limits";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { S3ObjectStore } from "@tunelake/core/storage/s3-store";
import type { FaultName } from "@tunelake/local/faults";
import { createLocalHandlers, localStores } from "@tunelake/local/handlers";
import { createLocalQueryEngine } from "@tunelake/local/query-engine";
import { createLocalRuns } from "@tunelake/local/runs";
import type { GlobalOptions } from "./context.ts";
import { resolveSource, type SourceFlag } from "./spotify-source.ts";

export interface Backend {
  readonly kind: "local" | "aws";
  runs: Runs;
  /** The query engine, opened on first use and closed with the backend. */
  query(): QueryEngine;
  /** The raw zone (run manifests), for what a summary says about a date. */
  raw(): ObjectStore;
  /** What to add to a command a message suggests (`--stage S`, or nothing locally). */
  readonly flag: string;
  /**
   * Locally: loads and checks the config and starts the Spotify source, before anything is written, and returns the
   * config (for the extract progress bar). On a stage there is nothing to prepare: the deployed functions have theirs.
   */
  prepare(): Promise<Config | undefined>;
  close(): Promise<void>;
}

export interface BackendOptions {
  stage?: string;
  /** For a local run or redrive: where the config and the Spotify data come from. */
  config?: string;
  source?: SourceFlag;
  /** Faults injected into a local run (parsed by the caller; a redrive passes none). */
  faults?: readonly FaultName[];
  /** The query engine's limits (default: the TUNELAKE_QUERY_* variables, see query-limits.ts). */
  queryLimits?: QueryLimits;
}

/** Picks the backend from `--stage`; a stage is resolved from `.sst/outputs.json`, else from CloudFormation. */
export async function openBackend(g: GlobalOptions, options: BackendOptions): Promise<Backend> {
  return options.stage ? openStageBackend(options.stage, options) : openLocalBackend(g, options);
}

function lazily<T>(create: () => T): { get: () => T; created: () => T | undefined } {
  let value: T | undefined;
  return { get: () => (value ??= create()), created: () => value };
}

function openLocalBackend(g: GlobalOptions, options: BackendOptions): Backend {
  const faults = [...(options.faults ?? [])];
  let prepared: Promise<{ config: Config; close: () => Promise<void>; handlers: ReturnType<typeof createHandlers> }>;
  const createHandlers = (config: Config, source: Awaited<ReturnType<typeof resolveSource>>) =>
    createLocalHandlers({
      home: g.home,
      config,
      spotify: source.spotify,
      dataSource: source.dataSource,
      logger: createConsoleLogger(process.env.TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn"),
    });
  const prepare = () => {
    prepared ??= (async () => {
      // The config is checked before the Spotify source starts, and both before any request or file.
      const config = await loadConfig(options.config ?? "tunelake.config.json");
      const source = await resolveSource(options.source ?? "auto", faults);
      if (source.banner) process.stderr.write(`${source.banner}\n`);
      return { config, close: () => source.close(), handlers: createHandlers(config, source) };
    })();
    return prepared;
  };
  const query = lazily(() => createLocalQueryEngine(g.home, { limits: options.queryLimits ?? readQueryLimits() }));
  const runs = createLocalRuns({ home: g.home, handlers: async () => (await prepare()).handlers, faults });
  return {
    kind: "local",
    runs,
    query: query.get,
    raw: () => localStores(g.home).raw,
    flag: "",
    prepare: async () => (await prepare()).config,
    close: async () => {
      await query.created()?.close();
      await runs.close();
      if (prepared) await (await prepared.catch(() => undefined))?.close();
    },
  };
}

async function openStageBackend(stage: string, options: BackendOptions): Promise<Backend> {
  // The SDK clients take the region, endpoint (AWS_ENDPOINT_URL) and credentials from the environment.
  const lookup = createCloudClients();
  let outputs: StageOutputs;
  try {
    outputs = await resolveStage(stage, { cloudFormation: lookup.cloudFormation });
  } finally {
    destroyCloudClients(lookup);
  }
  const runs = createAwsRuns({ stage: outputs });
  const query = lazily(() =>
    createAwsQueryEngine({ stage: outputs, limits: options.queryLimits ?? readQueryLimits() }),
  );
  return {
    kind: "aws",
    runs,
    query: query.get,
    raw: () => new S3ObjectStore({ bucket: outputs.rawBucket }),
    flag: ` --stage ${stage}`,
    prepare: async () => undefined,
    close: async () => {
      await query.created()?.close();
      await runs.close();
    },
  };
}

/** Opens the backend, runs `work` with it, and always closes it. */
export async function withBackend<T>(
  g: GlobalOptions,
  options: BackendOptions,
  work: (backend: Backend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(g, options);
  try {
    return await work(backend);
  } finally {
    await backend.close();
  }
}
