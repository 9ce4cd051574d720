/**
 * One in-memory DuckDB instance for one transform call: Lambda-safe settings (home and temp directories under the
 * work directory, memory limit, threads, no extension downloads), raw tables loaded from gzip NDJSON with explicit
 * column types, and staging tables built on demand, each at most once.
 */
import { mkdir } from "node:fs/promises";
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
}

/** Quotes a string as an SQL literal. */
export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`;

export class TransformSession {
  private readonly built = new Set<string>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly files: Partial<Record<RawEntity, string[]>>,
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
    if (options.memoryLimitMb !== undefined)
      config.memory_limit = `${Math.max(64, Math.floor(options.memoryLimitMb))}MB`;
    if (options.threads !== undefined) config.threads = String(Math.max(1, Math.floor(options.threads)));
    const instance = await DuckDBInstance.create(":memory:", config);
    const connection = await instance.connect();
    const session = new TransformSession(instance, connection, files);
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

  /** Builds every raw and staging table the SQL refers to (and what those refer to), each once. */
  async prepare(sql: string): Promise<void> {
    for (const name of referencedTables(sql)) await this.build(name);
  }

  private async build(name: string): Promise<void> {
    if (this.built.has(name)) return;
    if (name.startsWith("raw_")) {
      await this.loadRaw(name.slice(4) as RawEntity);
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

  private async loadRaw(entity: RawEntity): Promise<void> {
    const columns = RAW_COLUMNS[entity];
    if (columns === undefined) throw new Error(`Unknown raw entity ${entity}`);
    const files = this.files[entity] ?? [];
    const columnMap = Object.entries(columns).map(
      ([name, type]) => `${sqlString(name)}: ${sqlString(renderType(type))}`,
    );
    // No files that day: the same typed columns with no rows, so every query still binds.
    const source =
      files.length > 0
        ? `read_ndjson([${files.map(sqlString).join(", ")}], columns = {${columnMap.join(", ")}},
            format = 'newline_delimited', compression = 'gzip', hive_partitioning = false)`
        : `(SELECT ${Object.entries(columns)
            .map(([name, type]) => `NULL::${renderType(type)} AS "${name}"`)
            .join(", ")} LIMIT 0)`;
    await this.run(`CREATE TEMP TABLE raw_${entity} AS SELECT ${RAW_LOAD[entity] ?? "*"} FROM ${source}`);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
