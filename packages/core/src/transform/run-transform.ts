/**
 * The Transform stage: one transform entity's raw objects for a date -> its curated Parquet tables (ZSTD), a
 * `table_stats` Parquet part, rejects in the raw zone, and a JSON report. Idempotent per date and entity.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { RawLoadError, TransformError, TunelakeError } from "../errors.ts";
import { MAX_RAW_LINE_BYTES } from "../extract/raw-line.ts";
import {
  assertRunDate,
  COLUMN_STATS,
  type CuratedTable,
  columnStatsKey,
  curatedKey,
  curatedPrefix,
  manifestKey,
  parseManifest,
  RAW_ENTITIES,
  type RawEntity,
  rawPrefix,
  rejectsKey,
  TABLE_STATS,
  TRANSFORM_ENTITIES,
  TRANSFORM_ENTITY_NAMES,
  type TransformEntity,
  tableStatsKey,
  transformReportKey,
} from "../lake.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { TableResult, TransformResult } from "../pipeline-types.ts";
import { sqlString } from "../sql-quote.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { refsOf, rejectsModel, tableModel } from "../tables/index.ts";
import { curatedTable, projectDefinedColumns } from "./curated-tables.ts";
import { type MistypedField, TransformSession } from "./duckdb-session.ts";

export interface TransformOptions {
  entity: TransformEntity;
  /** Run date, `YYYY-MM-DD`. */
  date: string;
  raw: ObjectStore;
  curated: ObjectStore;
  /** Scratch directory (/tmp in Lambda): downloads, DuckDB home and spill files, output files. Cleaned up after. */
  workDir: string;
  /** DuckDB memory limit in MB; DuckDB's default (80% of RAM) when absent. */
  memoryLimitMb?: number;
  threads?: number;
  /** Threads and memory limit while raw files are loaded (parsing parallelizes across files); default as above. */
  loadThreads?: number;
  loadMemoryLimitMb?: number;
  logger?: Logger;
}

/** The JSON report stored at `transformReportKey(date, entity)` in the curated store. */
export interface TransformReport extends TransformResult {
  rejects: number;
  rejectKeys: string[];
  /**
   * Raw fields whose values were of another type than the transform reads, per raw entity and dotted field: the
   * objects were kept (raw as sent) and those fields are NULL in their columns. Missing and null fields show in
   * column_stats.
   */
  mistyped: MistypedField[];
  durationMs: number;
  finishedAt: string;
}

/** Raw entities whose files the given tables read (through the staging models they ref). */
export function rawEntitiesFor(tables: readonly CuratedTable[]): RawEntity[] {
  const seen = refsOf(tables);
  return RAW_ENTITIES.filter((entity) => seen.has(`raw_${entity}`));
}

/**
 * Local paths of a date's raw files per entity (the files themselves when the store is local, else downloads), and
 * the raw key of each path. The files are exactly the keys the date's manifest lists: parts of an extract that has not
 * published (an interrupted rerun) are not part of the day. Without a manifest (a raw zone not written by Extract,
 * as in tests and the bench; the Transform handler refuses such a date) the entity's folder is listed.
 */
export async function resolveRawFiles(
  raw: ObjectStore,
  date: string,
  entities: readonly RawEntity[],
  downloadDir: string,
): Promise<{ files: Partial<Record<RawEntity, string[]>>; keys: Map<string, string>; lineLimited: boolean }> {
  const files: Partial<Record<RawEntity, string[]>> = {};
  const keyOf = new Map<string, string>();
  const downloads: { key: string; file: string }[] = [];
  const manifest = await raw.get(manifestKey(date));
  const parsed = manifest
    ? parseManifest<{ keys?: string[]; lineLimit?: number }>(manifest, {
        location: raw.location,
        key: manifestKey(date),
        date,
      })
    : undefined;
  const listed = parsed ? (parsed.keys ?? []) : undefined;
  // An extract of this version says how long its lines can be; only other days need their files scanned.
  const lineLimited = typeof parsed?.lineLimit === "number" && parsed.lineLimit <= MAX_RAW_LINE_BYTES;
  for (const entity of entities) {
    const prefix = rawPrefix(entity, date);
    const keys = (listed ? listed.filter((key) => key.startsWith(prefix)) : await raw.list(prefix)).filter((key) =>
      key.endsWith(".ndjson.gz"),
    );
    files[entity] = keys.map((key) => {
      const file = raw.localPath ? raw.localPath(key) : path.join(downloadDir, ...key.split("/"));
      if (!raw.localPath) downloads.push({ key, file });
      keyOf.set(file, key);
      return file;
    });
  }
  // A few downloads at a time: enough to fill the network without opening hundreds of sockets.
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let item = downloads[next++]; item; item = downloads[next++]) await raw.download(item.key, item.file);
  };
  await Promise.all(Array.from({ length: Math.min(8, downloads.length) }, worker));
  return { files, keys: keyOf, lineLimited };
}

/**
 * Writes the raw lines the session set aside while loading (not JSON, or fields of another type) to
 * `_rejects/dt=<date>/transform-raw-<entity>.ndjson.gz`, each with its reason, file and line; removes a stale file
 * when a raw entity had none this time.
 */
async function writeQuarantined(
  session: TransformSession,
  raw: ObjectStore,
  date: string,
  entities: readonly RawEntity[],
): Promise<{ lines: number; keys: string[] }> {
  let lines = 0;
  const keys: string[] = [];
  for (const entity of entities) {
    const key = rejectsKey(date, `transform-raw-${entity}`);
    const set = session.quarantined.filter((q) => q.entity === entity);
    if (set.length === 0) {
      await raw.delete([key]);
      continue;
    }
    const body = set
      .map((q) => JSON.stringify({ _reason: q.reason, _file: q.file, _line: q.line, _entity: q.entity, line: q.text }))
      .join("\n");
    await raw.put(key, gzipSync(`${body}\n`), "application/gzip");
    keys.push(key);
    lines += set.length;
  }
  return { lines, keys };
}

/** Writes one entity's tables with an open session and uploads them; returns the result and report. */
async function writeEntity(
  session: TransformSession,
  options: Omit<TransformOptions, "workDir"> & { outDir: string },
): Promise<TransformResult> {
  const { entity, date, raw, curated, outDir } = options;
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const tables: TableResult[] = [];
  const rejectKeys: string[] = [];
  const coverage: string[] = [];
  let rejectTotal = 0;
  for (const table of TRANSFORM_ENTITIES[entity] as readonly CuratedTable[]) {
    const model = tableModel(table);
    if (model.refs.includes("other_plays")) await loadOtherPlays(session, curated, date, outDir);
    const sql = projectDefinedColumns(table, model.sql);
    const file = path.join(outDir, `${table}.parquet`);
    let rows: number;
    let rejects = 0;
    try {
      await session.prepare(model.refs);
      rows = await session.count(`COPY (${sql}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
      const rejectsOf = rejectsModel(table);
      if (rejectsOf) {
        const rejectSql = rejectsOf.sql;
        await session.prepare(rejectsOf.refs);
        const rejectFile = path.join(outDir, `${table}.rejects.ndjson.gz`);
        rejects = await session.count(
          `COPY (${rejectSql}) TO ${sqlString(rejectFile)} (FORMAT json, COMPRESSION gzip)`,
        );
        const key = rejectsKey(date, `transform-${table}`);
        if (rejects > 0) {
          await raw.upload(rejectFile, key, "application/gzip");
          rejectKeys.push(key);
        } else {
          await raw.delete([key]);
        }
      }
    } catch (error) {
      if (error instanceof TunelakeError) throw error;
      throw new TransformError(
        {
          reason: "buildFailed",
          entities: [entity],
          tables: [table],
          date,
          raw: raw.location,
          problem: (error as Error).message,
        },
        { cause: error },
      );
    }
    coverage.push(await columnCoverage(session, table, file, entity));
    const key = curatedKey(table, date);
    await curated.upload(file, key, "application/vnd.apache.parquet");
    const stale = (await curated.list(curatedPrefix(table, date))).filter((k) => k !== key);
    if (stale.length > 0) await curated.delete(stale);
    tables.push({ table, rows, rejects, key });
    rejectTotal += rejects;
    logger.info("transform table written", { entity, date, table, rows, rejects, key });
  }

  const quarantined = await writeQuarantined(session, raw, date, rawEntitiesFor(TRANSFORM_ENTITIES[entity]));
  rejectKeys.push(...quarantined.keys);
  const first = tables[0];
  if (quarantined.lines > 0 && first) {
    // Counted against the entity's main table: those objects are what its rows would have been built from.
    first.rejects += quarantined.lines;
    rejectTotal += quarantined.lines;
  }

  const statsFile = path.join(outDir, `${TABLE_STATS}-${entity}.parquet`);
  const values = tables
    .map((t) => `(${sqlString(t.table)}, ${t.rows}::BIGINT, ${t.rejects}::BIGINT, ${sqlString(entity)})`)
    .join(", ");
  await session.run(
    `COPY (${projectDefinedColumns(TABLE_STATS, `SELECT * FROM (VALUES ${values}) t(table_name, row_count, reject_count, entity)`)})
      TO ${sqlString(statsFile)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const statsKey = tableStatsKey(date, entity);
  await curated.upload(statsFile, statsKey, "application/vnd.apache.parquet");

  const columnStatsFile = path.join(outDir, `${COLUMN_STATS}-${entity}.parquet`);
  await session.run(
    `COPY (${projectDefinedColumns(COLUMN_STATS, coverage.join(" UNION ALL "))})
      TO ${sqlString(columnStatsFile)} (FORMAT parquet, COMPRESSION zstd)`,
  );
  const columnsKey = columnStatsKey(date, entity);
  await curated.upload(columnStatsFile, columnsKey, "application/vnd.apache.parquet");

  const reportKey = transformReportKey(date, entity);
  const result: TransformResult = {
    entity,
    date,
    tables,
    rows: tables.reduce((sum, t) => sum + t.rows, 0),
    keys: [...tables.map((t) => t.key), statsKey, columnsKey, reportKey],
  };
  const read = new Set(rawEntitiesFor(TRANSFORM_ENTITIES[entity]));
  const report: TransformReport = {
    ...result,
    rejects: rejectTotal,
    rejectKeys,
    mistyped: session.mistyped.filter((m) => read.has(m.entity)),
    durationMs: Date.now() - started,
    finishedAt: new Date().toISOString(),
  };
  await curated.put(reportKey, `${JSON.stringify(report, null, 2)}\n`, "application/json");
  return result;
}

/**
 * `other_plays`: the `played_at` of every play stored in another date's partition of `plays`. `plays` is a fact
 * (docs/tables.md): a play is kept only in the partition of the run that first stored it, so a later date does not
 * repeat it and a rerun of a date keeps what it had.
 */
async function loadOtherPlays(
  session: TransformSession,
  curated: ObjectStore,
  date: string,
  outDir: string,
): Promise<void> {
  const own = curatedPrefix("plays", date);
  const keys = (await curated.list("plays/")).filter((key) => key.endsWith(".parquet") && !key.startsWith(own));
  const files: string[] = [];
  for (const key of keys) {
    if (curated.localPath) {
      files.push(curated.localPath(key));
    } else {
      const file = path.join(outDir, "other-plays", ...key.split("/"));
      await curated.download(key, file);
      files.push(file);
    }
  }
  const from =
    files.length === 0
      ? "(SELECT NULL::TIMESTAMP AS played_at LIMIT 0)"
      : `read_parquet([${files.map(sqlString).join(", ")}], hive_partitioning = false)`;
  await session.provide("other_plays", `SELECT DISTINCT played_at FROM ${from}`);
}

/**
 * The column_stats rows of one written table: per defined column, the rows with a value and the rows in all, read
 * back from the table's Parquet file (one scan).
 */
async function columnCoverage(
  session: TransformSession,
  table: CuratedTable,
  file: string,
  entity: TransformEntity,
): Promise<string> {
  const columns = curatedTable(table).columns.map((c) => c.name);
  const counts = columns.map((c, i) => `count("${c}") AS c${i}`).join(", ");
  const reader = await session.rows(`SELECT count(*) AS n, ${counts} FROM read_parquet(${sqlString(file)})`);
  const row = reader[0] ?? [];
  const values = columns
    .map(
      (c, i) =>
        `(${sqlString(table)}, ${sqlString(c)}, ${Number(row[i + 1] ?? 0)}, ${Number(row[0] ?? 0)}, ${sqlString(entity)})`,
    )
    .join(", ");
  return `SELECT * FROM (VALUES ${values}) t(table_name, column_name, non_null_count, row_count, entity)`;
}

async function withSession<T>(
  options: Omit<TransformOptions, "entity">,
  entities: readonly TransformEntity[],
  work: (session: TransformSession, outDir: string) => Promise<T>,
): Promise<T> {
  assertRunDate(options.date);
  for (const entity of entities) {
    if (!(entity in TRANSFORM_ENTITIES)) {
      throw new TransformError({ reason: "unknownEntity", entity, known: TRANSFORM_ENTITY_NAMES });
    }
  }
  await mkdir(options.workDir, { recursive: true });
  const dir = await mkdtemp(path.join(options.workDir, "transform-"));
  try {
    const tables = entities.flatMap((entity) => TRANSFORM_ENTITIES[entity] as readonly CuratedTable[]);
    const entitiesRead = rawEntitiesFor(tables);
    const { files, keys, lineLimited } = await resolveRawFiles(
      options.raw,
      options.date,
      entitiesRead,
      path.join(dir, "raw"),
    );
    const outDir = path.join(dir, "out");
    await mkdir(outDir, { recursive: true });
    const { memoryLimitMb, threads, loadThreads, loadMemoryLimitMb } = options;
    const session = await TransformSession.open(
      { dir, memoryLimitMb, threads, loadThreads, loadMemoryLimitMb, scanLongLines: !lineLimited },
      files,
      keys,
    ).catch((error: unknown) => {
      throw new TransformError(
        { reason: "duckdbStart", date: options.date, problem: (error as Error).message },
        { cause: error },
      );
    });
    try {
      await session.loadRaw(entitiesRead).catch((error: unknown) => {
        const entity = error instanceof RawLoadError ? error.entity : undefined;
        const affected = tables.filter(
          (table) => entity === undefined || (rawEntitiesFor([table]) as readonly string[]).includes(entity),
        );
        throw new TransformError(
          {
            reason: "buildFailed",
            entities,
            tables: affected,
            date: options.date,
            raw: options.raw.location,
            problem: (error as Error).message,
          },
          { cause: error },
        );
      });
      return await work(session, outDir);
    } finally {
      session.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Transforms one entity's raw objects for `date` into its curated tables (see TRANSFORM_ENTITIES), replacing that
 * date's files for those tables only. Throws TransformError when DuckDB cannot build a table.
 */
export async function runTransform(options: TransformOptions): Promise<TransformResult> {
  return withSession(options, [options.entity], (session, outDir) => writeEntity(session, { ...options, outDir }));
}

/**
 * Transforms several (default: all) entities for `date` with one DuckDB instance, so raw files and staging tables
 * shared between entities are read and built once. Same outputs as calling runTransform for each entity.
 */
export async function transformAll(
  options: Omit<TransformOptions, "entity"> & { entities?: readonly TransformEntity[] },
): Promise<TransformResult[]> {
  const entities = options.entities ?? TRANSFORM_ENTITY_NAMES;
  return withSession(options, entities, async (session, outDir) => {
    const results: TransformResult[] = [];
    for (const entity of entities) results.push(await writeEntity(session, { ...options, entity, outDir }));
    return results;
  });
}
