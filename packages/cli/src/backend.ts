/**
 * The backend a command drives, built once per invocation by cli.ts from the flags (`--home`, `--stage`, `--config`,
 * `--source`, `--inject-fault`) before the command runs: the laptop (the embedded engine, the executions store, DuckDB
 * under `--home`) or a deployed stage (Step Functions, Athena). Commands use only the ports it holds, so they print
 * the same in both modes and never import an adapter package (`npm run lint:deps` says so).
 *
 * Nothing is loaded or resolved when it is built: each adapter's modules (DuckDB and the engine locally, the AWS SDK
 * on a stage) load on the first call that needs them, so a command that needs neither starts without them.
 */

import path from "node:path";
import type { Config } from "@tunelake/core/config/schema";
import type { ObjectStore, QueryEngine, Runs, StartRunInput } from "@tunelake/core/ports";
import { type QueryLimits, readQueryLimits } from "@tunelake/core/query-limits";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { type FaultName, parseFaults } from "@tunelake/local/faults/index";
import type { SourceFlag } from "@tunelake/local/spotify-source";
import { cliEnv, stderr } from "./context.ts";
import { UsageError } from "./errors.ts";
import { widthOf, wrap } from "./wrap.ts";

/** One finding of `tunelake doctor`: never a secret. */
export interface HealthCheck {
  name: string;
  ok: boolean;
  /** What was found (ok), or what is wrong and what to do (not ok). */
  detail: string;
}

export interface Backend {
  readonly kind: "local" | "aws";
  runs: Runs;
  /** The query engine, opened on first use with `limits` (default: the TUNELAKE_QUERY_* variables), closed with the backend. */
  query(limits?: QueryLimits): QueryEngine;
  /** The raw zone (run manifests), for what a summary says about a date. */
  raw(): ObjectStore;
  /** What to add to a command a message suggests (`--stage S`, or nothing locally). */
  readonly flag: string;
  /** The faults injected into runs started here (`--inject-fault`, local only); a redrive runs without them. */
  readonly faults: readonly FaultName[];
  /**
   * The config a local run loaded (for the extract's progress bar), once the run has made its handlers: the config is
   * loaded and checked, and the Spotify source started, on the first start or redrive, before anything is written.
   * On a stage, none: the deployed functions have theirs.
   */
  config(): Config | undefined;
  /** The stage's outputs (resolved once); none locally. */
  outputs(): Promise<StageOutputs | undefined>;
  /** What `tunelake doctor` checks: the DuckDB binding and the home (`fix`: repaired), and on a stage the stage. */
  health(options: { fix: boolean }): Promise<{ engine: HealthCheck; home: HealthCheck[]; stage: HealthCheck[] }>;
  close(): Promise<void>;
}

/** The flags a backend is built from. */
export interface BackendFlags {
  home: string;
  stage?: string;
  /** For a local run or redrive: where the config and the Spotify data come from. */
  config?: string;
  source?: SourceFlag;
  /** `--inject-fault` as typed: checked here, before anything runs (local runs only). */
  injectFault?: readonly string[];
}

/** Builds the backend `flags` name; unknown faults, or faults on a stage, are refused here. */
export function openBackend(flags: BackendFlags): Backend {
  const faults = parseFaults(flags.injectFault ?? []);
  if (flags.stage && faults.length > 0) throw new UsageError({ reason: "faultOnStage" });
  return flags.stage ? stageBackend(flags.home, flags.stage) : localBackend(flags, faults);
}

/** Makes a value on first use; `created` tells whether it was. */
function lazily<T>(create: () => T): { get: () => T; created: () => T | undefined } {
  let value: T | undefined;
  return { get: () => (value ??= create()), created: () => value };
}

/**
 * A Runs whose implementation is loaded on its first call: a local `query` or `schema` never loads the engine, the
 * handlers and the sample API. `close` of one never loaded does nothing. `beforeStart` may refuse a run first.
 */
function lazyRuns(
  backend: Runs["backend"],
  location: string,
  load: () => Promise<Runs>,
  beforeStart: (input: StartRunInput) => Promise<void>,
): Runs {
  let loaded: Promise<Runs> | undefined;
  let current: Runs | undefined;
  const runs = () => {
    loaded ??= load().then((made) => {
      current = made;
      return made;
    });
    return loaded;
  };
  return {
    backend,
    /** Until loaded, what the flags say (a folder, or `stage S`); then the implementation's (a state machine ARN). */
    get location() {
      return current?.location ?? location;
    },
    start: async (input, observer) => {
      await beforeStart(input);
      return (await runs()).start(input, observer);
    },
    list: async () => (await runs()).list(),
    describe: async (name) => (await runs()).describe(name),
    history: async (name) => (await runs()).history(name),
    redrive: async (name, observer) => (await runs()).redrive(name, observer),
    abort: async (name) => (await runs()).abort(name),
    reprocess: async (dates, options) => (await runs()).reprocess(dates, options),
    definition: async () => (await runs()).definition(),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}

/**
 * Refuses a reprocess run of a date never extracted (no run manifest in `raw`) before an execution takes the date's
 * name (and fails, and notifies), as `tunelake reprocess` skips such a date.
 */
const refuseUnextracted =
  (raw: () => ObjectStore, location: string) =>
  async (input: StartRunInput): Promise<void> => {
    if (input.mode !== "reprocess") return;
    const [{ assertRunDate, todayUtc }, { assertRawData }] = await Promise.all([
      import("@tunelake/core/lake"),
      import("@tunelake/core/workflow/reprocess"),
    ]);
    await assertRawData(raw(), assertRunDate(input.date ?? todayUtc()), location);
  };

/** A QueryEngine whose implementation is loaded on its first call. */
function lazyQuery(backend: QueryEngine["backend"], load: () => Promise<QueryEngine>): QueryEngine {
  let loaded: Promise<QueryEngine> | undefined;
  const engine = () => {
    loaded ??= load();
    return loaded;
  };
  return {
    backend,
    query: async (sql) => (await engine()).query(sql),
    tables: async () => (await engine()).tables(),
    close: async () => {
      if (loaded) await (await loaded.catch(() => undefined))?.close();
    },
  };
}

/** An ObjectStore whose implementation is made on its first call; `location` says where it will be until then. */
function lazyStore(location: string, load: () => Promise<ObjectStore>): ObjectStore {
  let loaded: ObjectStore | undefined;
  let loading: Promise<ObjectStore> | undefined;
  const store = async () => {
    loading ??= load().then((made) => {
      loaded = made;
      return made;
    });
    return loading;
  };
  return {
    get location() {
      return loaded?.location ?? location;
    },
    get: async (key) => (await store()).get(key),
    put: async (key, body, contentType) => (await store()).put(key, body, contentType),
    list: async (prefix) => (await store()).list(prefix),
    delete: async (keys) => (await store()).delete(keys),
    download: async (key, file) => (await store()).download(key, file),
    upload: async (file, key, contentType) => (await store()).upload(file, key, contentType),
  };
}

/** The checks of this machine: the DuckDB binding, and the home (its problems repaired with `fix`). */
async function machineHealth(home: string, fix: boolean): Promise<{ engine: HealthCheck; home: HealthCheck[] }> {
  return { engine: await checkDuckDb(), home: await checkHome(home, fix) };
}

async function checkDuckDb(): Promise<HealthCheck> {
  try {
    await (await import("@tunelake/local/duckdb-binding")).probeDuckDb();
    return { name: "duckdb", ok: true, detail: "the DuckDB binding loads" };
  } catch (error) {
    return {
      name: "duckdb",
      ok: false,
      detail: `the DuckDB binding does not load (${(error as Error).message.split("\n")[0]}): run npm ci again on this machine`,
    };
  }
}

async function checkHome(home: string, fix: boolean): Promise<HealthCheck[]> {
  const [{ inspectHome, repairHome }, { checkLocalHome }] = await Promise.all([
    import("@tunelake/local/home-health"),
    import("@tunelake/local/paths"),
  ]);
  try {
    checkLocalHome(home);
  } catch (error) {
    return [{ name: "home", ok: false, detail: (error as Error).message }];
  }
  const findings = await inspectHome(home);
  if (fix && findings.length > 0) {
    const done = await repairHome(home, findings);
    const left = await inspectHome(home);
    return [
      ...done.map((detail) => ({ name: "fixed", ok: true, detail })),
      ...left.map((f) => ({ name: f.kind, ok: false, detail: `${f.problem}: ${f.fix}` })),
    ];
  }
  if (findings.length === 0)
    return [{ name: "home", ok: true, detail: `${home}: no stale lock, stuck run or crawler` }];
  return findings.map((f) => ({ name: f.kind, ok: false, detail: `${f.problem}: ${f.fix}` }));
}

function localBackend(flags: BackendFlags, faults: readonly FaultName[]): Backend {
  const { home } = flags;
  /** The home, checked before anything is read or written under it (HomeInvalidError, bad input). */
  const paths = async () => {
    const { checkLocalHome, localPaths } = await import("@tunelake/local/paths");
    checkLocalHome(home);
    return localPaths(home);
  };
  let config: Config | undefined;
  let limits: QueryLimits | undefined;
  const query = lazily(() =>
    lazyQuery("local", async () => {
      const [{ createLocalQueryEngine }] = await Promise.all([import("@tunelake/local/query-engine"), paths()]);
      return createLocalQueryEngine(home, { limits: limits ?? readQueryLimits(cliEnv()) });
    }),
  );
  const raw = () =>
    lazyStore(path.join(home, "lake", "raw"), async () => {
      const [{ raw }, { FsObjectStore }] = await Promise.all([paths(), import("@tunelake/core/storage/fs-store")]);
      return new FsObjectStore(raw);
    });
  const runs = lazyRuns(
    "local",
    path.join(home, "executions"),
    async () => {
      await paths();
      const [{ createLocalRuns }, { createConsoleLogger }] = await Promise.all([
        import("@tunelake/local/runs"),
        import("@tunelake/core/logger"),
      ]);
      const logger = createConsoleLogger(logLevel());
      return createLocalRuns({
        home,
        // The run loads the config and starts the Spotify source itself, before anything is written.
        setup: {
          config: flags.config ?? "tunelake.config.json",
          source: flags.source ?? "auto",
          env: cliEnv(),
          logger,
          notice: (text) => stderr().write(`${wrap(text, widthOf(stderr())).join("\n")}\n`),
          onConfig: (loaded) => {
            config = loaded;
          },
        },
        faults,
        logger,
      });
    },
    refuseUnextracted(raw, "the local raw zone"),
  );
  return {
    kind: "local",
    runs,
    query: (given) => {
      limits ??= given;
      return query.get();
    },
    raw,
    flag: "",
    faults,
    config: () => config,
    outputs: async () => undefined,
    health: async ({ fix }) => ({ ...(await machineHealth(home, fix)), stage: [] }),
    close: async () => {
      await query.created()?.close();
      await runs.close();
    },
  };
}

const logLevel = () => (cliEnv().TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn");

function stageBackend(home: string, stage: string): Backend {
  // Resolved once, from `.sst/outputs.json` or else CloudFormation, on first use.
  let resolved: Promise<StageOutputs> | undefined;
  const outputs = () => {
    resolved ??= (async () => {
      const [{ createCloudClients, destroyCloudClients }, { resolveStage }] = await Promise.all([
        import("@tunelake/aws/cloud-clients"),
        import("@tunelake/aws/resolve-stage"),
      ]);
      // The SDK clients take the region, endpoint (AWS_ENDPOINT_URL) and credentials from the environment.
      const lookup = createCloudClients();
      try {
        return await resolveStage(stage, { cloudFormation: lookup.cloudFormation });
      } finally {
        destroyCloudClients(lookup);
      }
    })();
    return resolved;
  };
  let limits: QueryLimits | undefined;
  const query = lazily(() =>
    lazyQuery("aws", async () => {
      const { createAwsQueryEngine } = await import("@tunelake/aws/query-engine");
      return createAwsQueryEngine({ stage: await outputs(), limits: limits ?? readQueryLimits(cliEnv()) });
    }),
  );
  const raw = () =>
    lazyStore(`the raw bucket of stage ${stage}`, async () => {
      const { S3ObjectStore } = await import("@tunelake/core/storage/s3-store");
      return new S3ObjectStore({ bucket: (await outputs()).rawBucket });
    });
  const runs = lazyRuns(
    "aws",
    `stage ${stage}`,
    async () => {
      const { createAwsRuns } = await import("@tunelake/aws/runs");
      return createAwsRuns({ stage: await outputs() });
    },
    refuseUnextracted(raw, "the raw bucket"),
  );
  return {
    kind: "aws",
    runs,
    query: (given) => {
      limits ??= given;
      return query.get();
    },
    raw,
    flag: ` --stage ${stage}`,
    faults: [],
    config: () => undefined,
    outputs,
    health: async ({ fix }) => {
      const [{ createCloudClients, destroyCloudClients }, { checkStage }] = await Promise.all([
        import("@tunelake/aws/cloud-clients"),
        import("@tunelake/aws/stage-health"),
      ]);
      const machine = await machineHealth(home, fix);
      const clients = createCloudClients();
      try {
        return { ...machine, stage: await checkStage(stage, clients) };
      } finally {
        destroyCloudClients(clients);
      }
    },
    close: async () => {
      await query.created()?.close();
      await runs.close();
    },
  };
}
