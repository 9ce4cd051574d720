/**
 * The backend a command drives, picked once from `--stage`: the laptop (the embedded engine, the executions store,
 * DuckDB under `--home`) or a deployed stage (Step Functions, Athena). Commands use only the ports it returns, so
 * they print the same in both modes.
 */

import type { Config } from "@tunelake/core/config/schema";
import type { ObjectStore, QueryEngine, Runs } from "@tunelake/core/ports";
import { type QueryLimits, readQueryLimits } from "@tunelake/core/query-limits";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import type { FaultName } from "@tunelake/local/faults";
import type { LocalHandlers } from "@tunelake/local/handlers";
import type { GlobalOptions } from "./context.ts";
import { cliEnv, stderr } from "./context.ts";
import type { SourceFlag } from "./spotify-source.ts";
import { widthOf, wrap } from "./wrap.ts";

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
  /** A local run's date: the sample API's world date (its data changes from day to day from 2027 on). */
  date?: string;
  /** Faults injected into a local run (parsed by the caller; a redrive passes none). */
  faults?: readonly FaultName[];
  /** The query engine's limits (default: the TUNELAKE_QUERY_* variables, see query-limits.ts). */
  queryLimits?: QueryLimits;
}

/**
 * Picks the backend from `--stage`; a stage is resolved from `.sst/outputs.json`, else from CloudFormation. Each
 * backend's modules (DuckDB and the engine locally, the AWS SDK on a stage) are loaded only when it is opened, so a
 * command that needs neither starts without them.
 */
export async function openBackend(g: GlobalOptions, options: BackendOptions): Promise<Backend> {
  const limits = options.queryLimits ?? readQueryLimits(cliEnv());
  return options.stage ? openStageBackend(options.stage, limits) : openLocalBackend(g, options, limits);
}

function lazily<T>(create: () => T): { get: () => T; created: () => T | undefined } {
  let value: T | undefined;
  return { get: () => (value ??= create()), created: () => value };
}

/**
 * A Runs whose implementation is loaded on its first call: a local `query` or `schema` never loads the engine, the
 * handlers and the sample API. `close` of one never loaded does nothing.
 */
function lazyRuns(backend: Runs["backend"], location: string, load: () => Promise<Runs>): Runs {
  let loaded: Promise<Runs> | undefined;
  const runs = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    backend,
    location,
    start: async (input, observer) => (await runs()).start(input, observer),
    list: async () => (await runs()).list(),
    describe: async (name) => (await runs()).describe(name),
    history: async (name) => (await runs()).history(name),
    redrive: async (name, observer) => (await runs()).redrive(name, observer),
    abort: async (name) => (await runs()).abort(name),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}

async function openLocalBackend(g: GlobalOptions, options: BackendOptions, limits: QueryLimits): Promise<Backend> {
  const [queryEngine, { checkLocalHome, localPaths }, { FsObjectStore }] = await Promise.all([
    import("@tunelake/local/query-engine"),
    import("@tunelake/local/paths"),
    import("@tunelake/core/storage/fs-store"),
  ]);
  checkLocalHome(g.home);
  const faults = [...(options.faults ?? [])];
  type Prepared = { config: Config; close: () => Promise<void>; handlers: LocalHandlers };
  let prepared: Promise<Prepared> | undefined;
  const prepare = () => {
    prepared ??= (async () => {
      const [{ loadConfig }, { createConsoleLogger }, { createLocalHandlers }, { resolveSource }] = await Promise.all([
        import("@tunelake/core/config/load"),
        import("@tunelake/core/logger"),
        import("@tunelake/local/handlers"),
        import("./spotify-source.ts"),
      ]);
      // The config is checked before the Spotify source starts, and both before any request or file.
      const config = await loadConfig(options.config ?? "tunelake.config.json");
      const source = await resolveSource(options.source ?? "auto", faults, options.date);
      if (source.banner) stderr().write(`${wrap(source.banner, widthOf(stderr())).join("\n")}\n`);
      const handlers = createLocalHandlers({
        home: g.home,
        config,
        spotify: source.spotify,
        dataSource: source.dataSource,
        logger: createConsoleLogger(cliEnv().TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn"),
      });
      return { config, close: () => source.close(), handlers };
    })();
    return prepared;
  };
  const query = lazily(() => queryEngine.createLocalQueryEngine(g.home, { limits }));
  const runs = lazyRuns("local", localPaths(g.home).executions, async () =>
    (await import("@tunelake/local/runs")).createLocalRuns({
      home: g.home,
      handlers: async () => (await prepare()).handlers,
      faults,
    }),
  );
  return {
    kind: "local",
    runs,
    query: query.get,
    raw: () => new FsObjectStore(localPaths(g.home).raw),
    flag: "",
    prepare: async () => (await prepare()).config,
    close: async () => {
      await query.created()?.close();
      await runs.close();
      if (prepared) await (await prepared.catch(() => undefined))?.close();
    },
  };
}

async function openStageBackend(stage: string, limits: QueryLimits): Promise<Backend> {
  const [{ createCloudClients, destroyCloudClients }, { resolveStage }, { createAwsRuns }, queryEngine, s3] =
    await Promise.all([
      import("@tunelake/aws/cloud-clients"),
      import("@tunelake/aws/resolve-stage"),
      import("@tunelake/aws/runs"),
      import("@tunelake/aws/query-engine"),
      import("@tunelake/core/storage/s3-store"),
    ]);
  // The SDK clients take the region, endpoint (AWS_ENDPOINT_URL) and credentials from the environment.
  const lookup = createCloudClients();
  let outputs: StageOutputs;
  try {
    outputs = await resolveStage(stage, { cloudFormation: lookup.cloudFormation });
  } finally {
    destroyCloudClients(lookup);
  }
  const runs = createAwsRuns({ stage: outputs });
  const query = lazily(() => queryEngine.createAwsQueryEngine({ stage: outputs, limits }));
  return {
    kind: "aws",
    runs,
    query: query.get,
    raw: () => new s3.S3ObjectStore({ bucket: outputs.rawBucket }),
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
