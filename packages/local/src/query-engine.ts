/**
 * The `QueryEngine` port over the local catalog, read-only: DuckDB views named as the Athena tables in an in-memory
 * database that is locked down once the views exist (external access only to the curated zone, no extension
 * installs or loads, no temp directory, configuration locked), each query on its own connection, and only one SELECT
 * per query (read-only-sql.ts), interrupted at the time limit and cut at the row and byte caps (query-limits.ts).
 * See docs/console.md ("Access") for what this protects and what it does not.
 */
import { resolve } from "node:path";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  JSDuckDBValueConverter,
} from "@duckdb/node-api";
import { QUERY_RULES, QueryRefusedError, QueryTimeoutError, TunelakeError } from "@tunelake/core/errors";
import type { QueryColumn, QueryEngine, QueryResult, TableInfo } from "@tunelake/core/ports";
import { DEFAULT_QUERY_LIMITS, type QueryLimits, RowCap } from "@tunelake/core/query-limits";
import { sqlString } from "@tunelake/core/sql-quote";
import { type ColumnType, duckdbType } from "@tunelake/core/transform/curated-tables";
import { type CatalogFile, createCatalogViews, readCatalog } from "./catalog.ts";
import { CatalogNotFoundError } from "./errors.ts";
import { jsonRow } from "./json-values.ts";
import { localPaths } from "./paths.ts";
import { prepareSingleSelect } from "./read-only-sql.ts";

export interface LocalQueryEngineOptions {
  /** Time limit and result caps (default {@link DEFAULT_QUERY_LIMITS}). */
  limits?: QueryLimits;
}

/** How long after the interrupt a query that does not stop (a blocking read) is abandoned and reported timed out. */
const INTERRUPT_GRACE_MS = 2000;

/** A directory as DuckDB's `allowed_directories` takes it: absolute, with a trailing slash (a prefix of paths). */
const directory = (path: string) => `${resolve(path).replace(/\/+$/, "")}/`;

interface LockedDatabase {
  instance: DuckDBInstance;
  crawled: boolean;
}

/**
 * Creates the views, then locks the database down: reads only under the curated zone and the tables' locations,
 * no writes but there (and no statement that writes gets past {@link prepareSingleSelect}), no extensions installed
 * or loaded, no spill directory, and `lock_configuration` so no query can undo any of it.
 */
async function openLocked(home: string): Promise<LockedDatabase> {
  const crawled = await readCatalog(home);
  const catalog: CatalogFile = crawled ?? { crawledAt: "", tables: [] };
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    allow_community_extensions: "false",
  });
  const setup = await instance.connect();
  try {
    const allowed = [...new Set([localPaths(home).curated, ...catalog.tables.map((t) => t.location)].map(directory))];
    // The temp directory would be an allowed directory of its own (DuckDB adds it): no spilling instead.
    await setup.run("SET temp_directory = ''");
    await setup.run(`SET allowed_directories = [${allowed.map(sqlString).join(", ")}]`);
    await setup.run("SET enable_external_access = false");
    await setup.run("SET allow_persistent_secrets = false");
    await createCatalogViews(setup, catalog);
    await setup.run("SET lock_configuration = true");
  } catch (error) {
    setup.closeSync();
    instance.closeSync();
    throw error;
  }
  setup.closeSync();
  return { instance, crawled: crawled !== undefined };
}

/** Streams the prepared SELECT's rows until it ends or a cap is reached. */
async function readCapped(prepared: DuckDBPreparedStatement, limits: QueryLimits): Promise<QueryResult> {
  const result = await prepared.stream();
  const names = result.deduplicatedColumnNames();
  const types = result.columnTypes();
  const columns: QueryColumn[] = names.map((name, i) => ({ name, type: String(types[i]) }));
  const cap = new RowCap<Record<string, unknown>>(limits);
  read: for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const values of chunk.convertRows(JSDuckDBValueConverter)) {
      if (!cap.add(jsonRow(columns, values))) break read;
    }
  }
  return { columns, rows: cap.rows, ...(cap.truncated ? { truncated: cap.truncated } : {}) };
}

/** SQL over `<home>`'s catalog, as `tunelake query` and the console run it without `--stage`. */
export function createLocalQueryEngine(home: string, options: LocalQueryEngineOptions = {}): QueryEngine {
  const limits = options.limits ?? DEFAULT_QUERY_LIMITS;
  let database: Promise<LockedDatabase> | undefined;
  /** Queries still running (a blocked read after its timeout), so close waits for none of them forever. */
  const running = new Set<Promise<unknown>>();

  const run = async (connection: DuckDBConnection, sql: string) =>
    readCapped(await prepareSingleSelect(connection, sql), limits);

  return {
    backend: "local",
    async query(sql): Promise<QueryResult> {
      database ??= openLocked(home);
      const { instance, crawled } = await database;
      // Its own connection: nothing a query does (and it can only read) is seen by another query.
      const connection = await instance.connect();
      let interrupted = false;
      const timer = setTimeout(() => {
        interrupted = true;
        connection.interrupt();
      }, limits.timeoutMs);
      const work = run(connection, sql).finally(() => {
        clearTimeout(timer);
        connection.closeSync();
        running.delete(work);
      });
      running.add(work);
      let abandon: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        abandon = setTimeout(
          () => reject(new QueryTimeoutError({ timeoutMs: limits.timeoutMs })),
          limits.timeoutMs + INTERRUPT_GRACE_MS,
        );
      });
      try {
        return await Promise.race([work, deadline]);
      } catch (error) {
        if (error instanceof TunelakeError) throw error;
        // What the lockdown refused (a file outside the allowed directories, an extension): DuckDB's own words.
        const message = error instanceof Error ? error.message : String(error);
        if (/^Permission Error: /.test(message)) {
          throw new QueryRefusedError(
            { rule: QUERY_RULES.curatedOnly, found: message.replace(/^Permission Error: /, "").split("\n")[0] ?? "" },
            { cause: error },
          );
        }
        if (interrupted) throw new QueryTimeoutError({ timeoutMs: limits.timeoutMs }, { cause: error });
        if (!crawled) throw new CatalogNotFoundError({ catalog: localPaths(home).catalog }, { cause: error });
        throw error;
      } finally {
        clearTimeout(abandon);
        work.catch(() => undefined);
      }
    },
    async tables(): Promise<TableInfo[]> {
      const crawled = await readCatalog(home);
      return (crawled?.tables ?? [])
        .map((t) => ({
          name: t.name,
          // The catalog keeps the partition key's declared type (`string`); the views read it as DuckDB's VARCHAR.
          columns: [
            ...t.columns,
            ...t.partitionKeys.map((k) => ({ name: k.name, type: duckdbType(k.type as ColumnType) })),
          ],
          location: t.location,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async close() {
      const opened = database;
      database = undefined;
      const locked = opened ? await opened.catch(() => undefined) : undefined;
      // A query blocked in a read it cannot interrupt keeps its connection: close the instance only without one.
      if (locked && running.size === 0) locked.instance.closeSync();
    },
  };
}
