/**
 * The reliability suite's harness (the part with no vitest in it, so code outside test files can use it;
 * harness.ts adds what needs vitest): a temp home, the sample API on 127.0.0.1, the real handlers (optionally around a
 * faulty object store) and the local engine called in-process (faster than spawning the CLI), plus what a user
 * looks at afterwards: row counts and a content hash per table, the outbox, the executions store.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import { loadConfig } from "@tunelake/core/config/load";
import type { Config } from "@tunelake/core/config/schema";
import { StorageError, TransformError } from "@tunelake/core/errors";
import { CURATED_TABLES, rejectsKey } from "@tunelake/core/lake";
import { silentLogger } from "@tunelake/core/logger";
import { exampleUserSources } from "@tunelake/core/sources/index";
import type { FsObjectStore } from "@tunelake/core/storage/fs-store";
import type { ObjectStore } from "@tunelake/core/storage/object-store";
import { createExtractHandler } from "@tunelake/functions/extract";
import { createTransformHandler } from "@tunelake/functions/transform";
import { openLocalCatalog } from "@tunelake/local/catalog";
import { type LocalRunInput, redriveLocalExecution, runLocalExecution } from "@tunelake/local/engine";
import type { ExecutionRecord } from "@tunelake/local/executions";
import { parseFaults, sampleFaultsFor } from "@tunelake/local/faults/index";
import { localStores } from "@tunelake/local/handlers";
import {
  type SampleServer,
  type SampleServerOptions,
  sampleEnv,
  startSampleServer,
} from "@tunelake/sample-api/sample-server";

export const REPO = path.resolve(import.meta.dirname, "../../../..");
export const REPO_CONFIG = path.join(REPO, "tunelake.config.json");

/** The config the CLI uses by default (artists, albums, tracks, a playlist, a search). */
export const repoConfig = (): Promise<Config> => loadConfig(REPO_CONFIG);

/**
 * The suite's config: the repository's sources plus every user-scoped source (as each declares its example entries), so
 * that every table fills; `extract`
 * overrides are merged in (e.g. fewer retries, so that a fault that never ends fails in seconds).
 */
export async function suiteConfig(extract: Partial<Config["extract"]> = {}): Promise<Config> {
  const base = await repoConfig();
  return {
    ...base,
    sources: {
      ...base.sources,
      user: exampleUserSources() as Config["sources"]["user"],
    },
    extract: { ...base.extract, ...extract },
  };
}

export { tempHome, tempHomes } from "../temp-homes.ts";

/** The sample API as the CLI starts it (extended profile, 2026 shape), with the CLI's fault switches for `faults`. */
export function startSample(faults: readonly string[] = [], options: SampleServerOptions = {}): Promise<SampleServer> {
  return startSampleServer({
    profile: "extended",
    shape: "2026",
    faults: sampleFaultsFor(parseFaults(faults)),
    ...options,
  });
}

/** Which store operations fail, and how often (`Infinity`: always). */
export interface StoreFault {
  op: "put" | "upload";
  /** Only keys that start with this prefix. */
  prefix?: string;
  times: number;
}

/** An ObjectStore that throws StorageError (as S3 would on a 5xx) for matching writes, then behaves. */
export class FaultyStore implements ObjectStore {
  readonly location: string;
  failures = 0;
  constructor(
    private readonly inner: ObjectStore,
    private readonly fault: StoreFault,
  ) {
    this.location = inner.location;
  }
  private trip(op: StoreFault["op"], key: string): void {
    if (op !== this.fault.op || !key.startsWith(this.fault.prefix ?? "")) return;
    if (this.failures >= this.fault.times) return;
    this.failures++;
    throw new StorageError({
      reason: "failed",
      action: "write",
      key,
      location: this.location,
      problem: "injected store fault (HTTP 503 SlowDown)",
    });
  }
  get(key: string) {
    return this.inner.get(key);
  }
  async put(key: string, body: Buffer | string, contentType?: string) {
    this.trip("put", key);
    return this.inner.put(key, body, contentType);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  delete(keys: readonly string[]) {
    return this.inner.delete(keys);
  }
  download(key: string, file: string) {
    return this.inner.download(key, file);
  }
  async upload(file: string, key: string, contentType?: string) {
    this.trip("upload", key);
    return this.inner.upload(file, key, contentType);
  }
  localPath(key: string): string {
    if (!this.inner.localPath) throw new Error("FaultyStore wraps local stores only");
    return this.inner.localPath(key);
  }
}

export interface PipelineOptions {
  home: string;
  server: SampleServer;
  config?: Config;
  input?: LocalRunInput;
  faults?: string[];
  /** Wraps the raw or curated store (e.g. in a FaultyStore). */
  raw?: (store: FsObjectStore) => ObjectStore;
  curated?: (store: FsObjectStore) => ObjectStore;
  /** Wraps the transform handler (e.g. to fail one entity after the others finished). */
  transform?: (inner: (event: unknown) => Promise<unknown>) => (event: unknown) => Promise<unknown>;
  crawlerPollLimit?: number;
  /** Where the Extract handler talks to (default: the sample server itself). */
  spotify?: SpotifyEnv;
}

/** The real Extract and Transform handlers over `<home>/lake`, as createLocalHandlers builds them. */
export async function handlersFor(options: PipelineOptions) {
  const config = options.config ?? (await suiteConfig());
  const { raw: rawFs, curated: curatedFs } = localStores(options.home);
  const raw = options.raw ? options.raw(rawFs) : rawFs;
  const curated = options.curated ? options.curated(curatedFs) : curatedFs;
  const spotify = options.spotify ?? sampleEnv(options.server, true);
  const extract = createExtractHandler(async () => ({
    config,
    raw,
    spotify,
    dataSource: "sample",
    logger: silentLogger,
  }));
  const transform = createTransformHandler(async () => ({
    raw,
    curated,
    workDir: path.join(options.home, "tmp"),
    threads: 1,
    memoryLimitMb: 512,
    logger: silentLogger,
  }));
  return {
    extract: extract as (event: unknown) => Promise<unknown>,
    transform: options.transform ? options.transform(transform) : (transform as (event: unknown) => Promise<unknown>),
  };
}

const fastEngine = (stderr: string[], pollLimit?: number) => ({
  retryIntervalMs: 5,
  crawlerPollMs: 5,
  ...(pollLimit === undefined ? {} : { crawlerPollLimit: pollLimit }),
  stderr: (line: string) => {
    stderr.push(line);
  },
});

/**
 * A `transform` wrapper (PipelineOptions) under which the tracks transform fails for good (a terminal TransformError
 * saying `problem`) once artists is written: one entity failing after another finished. `before` runs ahead of every
 * other entity's transform; `finished` lists the entities whose transform returned.
 */
export function failTracksAfterArtists(
  problem: string,
  before: (entity: string) => Promise<void> = async () => {},
): { transform: NonNullable<PipelineOptions["transform"]>; finished: Set<string> } {
  let artistsDone!: () => void;
  const artistsWritten = new Promise<void>((resolve) => {
    artistsDone = resolve;
  });
  const finished = new Set<string>();
  const transform = (inner: (event: unknown) => Promise<unknown>) => async (event: unknown) => {
    const { entity, date } = event as { entity: string; date: string };
    if (entity === "tracks") {
      await artistsWritten;
      throw new TransformError({
        reason: "buildFailed",
        entities: ["tracks"],
        tables: ["tracks"],
        date,
        raw: "the raw zone",
        problem,
      });
    }
    await before(entity);
    const result = await inner(event);
    if (entity === "artists") artistsDone();
    finished.add(entity);
    return result;
  };
  return { transform, finished };
}

/** Runs the state machine once in-process; `stderr` collects NotifyFailure's lines. */
export async function runPipeline(
  options: PipelineOptions & { date: string },
): Promise<{ record: ExecutionRecord; stderr: string[] }> {
  const stderr: string[] = [];
  const record = await runLocalExecution({
    home: options.home,
    input: options.input ?? { date: options.date },
    handlers: await handlersFor(options),
    faults: parseFaults(options.faults ?? []),
    ...fastEngine(stderr, options.crawlerPollLimit),
  });
  return { record, stderr };
}

/** Redrives a failed execution in-process (no injected faults, as `tunelake redrive`). */
export async function redrivePipeline(
  options: PipelineOptions & { name: string },
): Promise<{ record: ExecutionRecord; stderr: string[] }> {
  const stderr: string[] = [];
  const record = await redriveLocalExecution({
    home: options.home,
    name: options.name,
    handlers: await handlersFor(options),
    ...fastEngine(stderr),
  });
  return { record, stderr };
}

/** The date of the shared clean run (`cleanRun()` in harness.ts), the date every reliability test runs. */
export const CLEAN_RUN_DATE = "2026-11-21";

/** A clean sample run of the suite's config: its home (never written to: copy it) and its tables' fingerprint. */
export interface CleanRun {
  home: string;
  date: string;
  fingerprint: TableFingerprint[];
}

/** Rows and a content hash (every column but fetch timestamps, rows in a fixed order) per curated table and date. */
export interface TableFingerprint {
  table: string;
  rows: number;
  hash: string;
}

/** Fingerprints every curated table the catalog has for `date`. */
export async function fingerprint(home: string, date: string): Promise<TableFingerprint[]> {
  const catalog = await openLocalCatalog(home);
  try {
    const tables = (await catalog.tables()).filter((t) => (CURATED_TABLES as readonly string[]).includes(t)).sort();
    const out: TableFingerprint[] = [];
    for (const table of tables) {
      const described = await catalog.query(`DESCRIBE SELECT * FROM ${table}`);
      // When each object was fetched (its time, and its date, which a run crossing midnight UTC changes) is not content.
      const excluded = described
        .map((c) => String(c.column_name))
        .filter((c) => c === "_fetched_at" || c === "_fetched_dt" || c === "dt");
      const select = excluded.length > 0 ? `* EXCLUDE (${excluded.join(", ")})` : "*";
      const [row] = await catalog.query(
        `SELECT count(*) AS n, coalesce(md5(string_agg(r::VARCHAR, chr(10) ORDER BY r::VARCHAR)), '') AS h
         FROM (SELECT ${select} FROM ${table} WHERE dt = '${date}') r`,
      );
      out.push({ table, rows: Number(row?.n ?? 0), hash: String(row?.h ?? "") });
    }
    return out;
  } finally {
    catalog.close();
  }
}

/** Row counts per table for `date`, from a fingerprint. */
export const rowCounts = (prints: readonly TableFingerprint[]) =>
  Object.fromEntries(prints.map((p) => [p.table, p.rows]));

export interface OutboxNote {
  file: string;
  Subject?: string;
  Message?: string;
  execution: string;
}

/** The notifications NotifyFailure wrote. */
export async function outbox(home: string): Promise<OutboxNote[]> {
  const dir = path.join(home, "outbox");
  const files = (await readdir(dir).catch(() => [] as string[])).sort();
  return Promise.all(
    files.map(async (file) => ({ file, ...(JSON.parse(await readFile(path.join(dir, file), "utf8")) as object) })),
  ) as Promise<OutboxNote[]>;
}

/** The lines a run set aside in the rejects area as `name` for `date` (gzipped NDJSON), parsed. */
export async function readRejects<T = Record<string, unknown>>(home: string, date: string, name: string): Promise<T[]> {
  return gunzipSync(await readFile(path.join(home, "lake", "raw", rejectsKey(date, name))))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** Every file under `dir`, recursively, as paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
