/**
 * One in-memory DuckDB instance for one transform call: Lambda-safe settings (home and temp directories under the
 * work directory, memory limit, threads, no extension downloads), raw tables loaded from gzip NDJSON with explicit
 * column types (all up front, each file read once), and staging tables built on demand, each at most once.
 */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { RawEntity } from "../lake.ts";
import { RAW_COLUMNS, renderType } from "./raw-columns.ts";
import { MACROS_SQL } from "./sql-macros.ts";
import { RAW_LOAD, referencedTables, STAGING_SQL } from "./table-sql.ts";

export interface SessionOptions {
  /** A private directory for this session: DuckDB's home and spill files go under it. */
  dir: string;
  /** DuckDB's memory limit in MB (Lambda: a share of the function's memory). */
  memoryLimitMb?: number;
  threads?: number;
  /**
   * Threads and memory limit (MB) while the raw files are loaded, when they should differ from the above: DuckDB
   * decompresses and parses one gzip file per thread, each with its own buffers, while the later queries read the
   * small loaded tables and need fewer threads and less memory.
   */
  loadThreads?: number;
  loadMemoryLimitMb?: number;
}

const threadsSetting = (threads: number): string => String(Math.max(1, Math.floor(threads)));
const memorySetting = (mb: number): string => `${Math.max(64, Math.floor(mb))}MB`;

/** Quotes a string as an SQL literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

/** A raw entity's files could not be read; the caller names the tables that needed them. */
export class RawLoadError extends Error {
  override name = "RawLoadError";
  constructor(
    readonly entity: RawEntity,
    cause: unknown,
  ) {
    super(`raw ${entity}: ${(cause as Error).message}`, { cause });
  }
}

export class TransformSession {
  private readonly built = new Set<string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly files: Partial<Record<RawEntity, string[]>>,
    private readonly options: SessionOptions,
  ) {}

  /** Opens DuckDB; `files` are the local gzip NDJSON files per raw entity (absent or empty: no objects that day). */
  static async open(options: SessionOptions, files: Partial<Record<RawEntity, string[]>>): Promise<TransformSession> {
    const home = path.join(options.dir, "duckdb-home");
    const temp = path.join(options.dir, "duckdb-tmp");
    await Promise.all([mkdir(home, { recursive: true }), mkdir(temp, { recursive: true })]);
    const config: Record<string, string> = {
      home_directory: home,
      temp_directory: temp,
      // Row order inside a Parquet file carries no meaning here; dropping it lets DuckDB stream and parallelize.
      preserve_insertion_order: "false",
      // JSON and Parquet are built in; never fetch extensions at run time (Lambda has no writable home otherwise).
      autoinstall_known_extensions: "false",
    };
    if (options.memoryLimitMb !== undefined) config.memory_limit = memorySetting(options.memoryLimitMb);
    if (options.threads !== undefined) config.threads = threadsSetting(options.threads);
    const instance = await DuckDBInstance.create(":memory:", config);
    const connection = await instance.connect();
    const session = new TransformSession(instance, connection, files, options);
    await session.run(MACROS_SQL);
    return session;
  }

  async run(sql: string): Promise<void> {
    await this.connection.run(sql);
  }

  /** Runs a statement and returns its first value as a number (e.g. the row count COPY reports). */
  async count(sql: string): Promise<number> {
    const reader = await this.connection.runAndReadAll(sql);
    const value = reader.getRows()[0]?.[0];
    return value === undefined || value === null ? 0 : Number(value);
  }

  /**
   * Loads the given raw entities up front, smallest first, with the load settings (see SessionOptions); the
   * largest entity comes last so no other JSON read needs buffers while its table holds memory. Then the session's
   * own settings apply again.
   */
  async loadRaw(entities: readonly RawEntity[]): Promise<void> {
    const sized = await Promise.all(
      entities.map(async (entity) => {
        const sizes = await Promise.all((this.files[entity] ?? []).map(async (file) => (await stat(file)).size));
        return { entity, bytes: sizes.reduce((sum, size) => sum + size, 0) };
      }),
    );
    sized.sort((a, b) => a.bytes - b.bytes);
    const { loadThreads, loadMemoryLimitMb } = this.options;
    const [threads, memory] = [await this.setting("threads"), await this.setting("memory_limit")];
    if (loadThreads !== undefined) await this.run(`SET threads = ${threadsSetting(loadThreads)}`);
    if (loadMemoryLimitMb !== undefined) await this.run(`SET memory_limit = '${memorySetting(loadMemoryLimitMb)}'`);
    try {
      for (const { entity } of sized) {
        await this.build(`raw_${entity}`).catch((error: unknown) => {
          throw new RawLoadError(entity, error);
        });
      }
    } finally {
      if (loadThreads !== undefined && threads) await this.run(`SET threads = ${threads}`);
      if (loadMemoryLimitMb !== undefined && memory) await this.run(`SET memory_limit = ${sqlString(memory)}`);
    }
  }

  /** Builds every raw and staging table the SQL refers to (and what those refer to), each once. */
  async prepare(sql: string): Promise<void> {
    for (const name of referencedTables(sql)) await this.build(name);
  }

  private async build(name: string): Promise<void> {
    if (this.built.has(name)) return;
    if (name.startsWith("raw_")) {
      await this.loadRawTable(name.slice(4) as RawEntity);
    } else {
      const sql = STAGING_SQL[name];
      if (sql === undefined) throw new Error(`Unknown staging table ${name}`);
      await this.prepare(sql);
      // stg_* are unions of raw copies, read by one or two queries: views cost less than storing them; best_* are
      // the deduplicated objects several tables read, so they are stored.
      await this.run(`CREATE TEMP ${name.startsWith("stg_") ? "VIEW" : "TABLE"} ${name} AS ${sql}`);
    }
    this.built.add(name);
  }

  private async loadRawTable(entity: RawEntity): Promise<void> {
    const columns = RAW_COLUMNS[entity];
    if (columns === undefined) throw new Error(`Unknown raw entity ${entity}`);
    const files = this.files[entity] ?? [];
    const columnMap = Object.entries(columns).map(
      ([name, type]) => `${sqlString(name)}: ${sqlString(renderType(type))}`,
    );
    const read = (paths: string[]) =>
      `read_ndjson([${paths.map(sqlString).join(", ")}], columns = {${columnMap.join(", ")}},
        format = 'newline_delimited', compression = 'gzip', hive_partitioning = false)`;
    // No files that day: the same typed columns with no rows, so every query still binds.
    const empty = `(SELECT ${Object.entries(columns)
      .map(([name, type]) => `NULL::${renderType(type)} AS "${name}"`)
      .join(", ")} LIMIT 0)`;
    await this.run(
      `CREATE TEMP TABLE raw_${entity} AS SELECT ${RAW_LOAD[entity] ?? "*"} FROM ${files.length > 0 ? read(files) : empty}`,
    );
  }

  private async setting(name: string): Promise<string> {
    const reader = await this.connection.runAndReadAll(`SELECT current_setting(${sqlString(name)})::VARCHAR`);
    return String(reader.getRows()[0]?.[0] ?? "");
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
