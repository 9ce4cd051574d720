/**
 * The local Glue Data Catalog: a crawl registers every curated table folder (one table per folder not starting with
 * `_`, `dt=` subfolders as a string partition) in `<home>/catalog/tables.json`, and {@link openLocalCatalog} serves
 * those tables to DuckDB under the same names Athena uses.
 */
import { mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { type CheckResult, runChecksLocally } from "../checks/run-checks.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { toJsonValue } from "./json-values.ts";
import { localPaths } from "./paths.ts";

export interface CatalogColumn {
  name: string;
  type: string;
}

export interface CatalogTable {
  name: string;
  location: string;
  columns: CatalogColumn[];
  partitionKeys: CatalogColumn[];
  partitions: string[];
}

export interface CatalogFile {
  crawledAt: string;
  tables: CatalogTable[];
}

const TABLE_NAME = /^[a-z][a-z0-9_]*$/;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdentifier = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** `read_parquet` over a table folder with `dt` as a string partition, as Glue registers it. */
export const tableScan = (location: string): string =>
  `read_parquet(${sqlString(join(location, "*", "*.parquet"))}, hive_partitioning = true, hive_types = {'dt': VARCHAR}, union_by_name = true)`;

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function listDirs(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/**
 * Crawls `<home>/lake/curated/` and writes the catalog. Folders without any Parquet file are not tables yet (Glue
 * skips them too); names Athena could not query are skipped.
 */
export async function crawlCuratedZone(home: string): Promise<CatalogFile> {
  const paths = localPaths(home);
  const tables: CatalogTable[] = [];
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    for (const name of await listDirs(paths.curated)) {
      if (name.startsWith("_") || !TABLE_NAME.test(name)) continue;
      const location = join(paths.curated, name);
      const partitions: string[] = [];
      for (const dir of await listDirs(location)) {
        if (!dir.startsWith("dt=")) continue;
        const files = await readdir(join(location, dir)).catch(() => [] as string[]);
        if (files.some((f) => f.endsWith(".parquet"))) partitions.push(dir.slice(3));
      }
      if (partitions.length === 0) continue;
      const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${tableScan(location)}`);
      const columns = reader
        .getRowObjectsJS()
        .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }))
        .filter((c) => c.name !== "dt");
      tables.push({ name, location, columns, partitionKeys: [{ name: "dt", type: "string" }], partitions });
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  const catalog: CatalogFile = { crawledAt: new Date().toISOString(), tables };
  await mkdir(paths.catalog, { recursive: true });
  // A query never reads half a catalog, and two runs in one process may crawl at once (runs of different dates).
  await writeJsonAtomic(paths.catalogFile, catalog);
  return catalog;
}

/** The catalog as last crawled, or undefined before the first crawl. */
export async function readCatalog(home: string): Promise<CatalogFile | undefined> {
  const text = await readFile(localPaths(home).catalogFile, "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as CatalogFile);
}

/** Creates one view per catalog table on a DuckDB connection. */
export async function createCatalogViews(connection: DuckDBConnection, catalog: CatalogFile): Promise<void> {
  for (const table of catalog.tables) {
    if (!(await isDirectory(table.location))) continue;
    await connection.run(
      `CREATE OR REPLACE VIEW ${sqlIdentifier(table.name)} AS SELECT * FROM ${tableScan(table.location)}`,
    );
  }
}

/** The local query engine over the catalog: what `tunelake query` and the Athena stand-in use. */
export interface LocalCatalog {
  /** Runs SQL and returns rows as plain JSON values (BigInt as number when exact, dates as ISO strings). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs SQL and returns column names, DuckDB types and rows in column order (for Athena's ResultSet). */
  queryTable(sql: string): Promise<{ columns: CatalogColumn[]; rows: unknown[][] }>;
  /** Table names, as in Athena (none before the first crawl). */
  tables(): Promise<string[]>;
  /** The data-quality checks for a run date, worst first (the same SQL Validate runs). */
  checks(date: string): Promise<CheckResult[]>;
  close(): void;
}

/**
 * Opens the local catalog. Before the first crawl it has no tables, and a query that fails there says to run the
 * pipeline first.
 */
export async function openLocalCatalog(home: string): Promise<LocalCatalog> {
  const crawled = await readCatalog(home);
  const catalog: CatalogFile = crawled ?? { crawledAt: "", tables: [] };
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    await createCatalogViews(connection, catalog);
  } catch (error) {
    connection.closeSync();
    db.closeSync();
    throw error;
  }
  const run = async (sql: string) => {
    try {
      return await connection.runAndReadAll(sql);
    } catch (error) {
      if (crawled) throw error;
      throw new CatalogNotFoundError(
        `No tables in the local catalog (${localPaths(home).catalog}) yet: run the pipeline first (npm run pipeline), its crawler step registers the tables.`,
        { cause: error },
      );
    }
  };
  const local: LocalCatalog = {
    async query(sql) {
      const reader = await run(sql);
      // A DATE is a day, not an instant: print it as YYYY-MM-DD rather than as midnight UTC.
      const dateColumns = reader.columnNames().filter((_, i) => String(reader.columnTypes()[i]) === "DATE");
      return reader.getRowObjectsJS().map((row) => {
        const out = toJsonValue(row) as Record<string, unknown>;
        for (const c of dateColumns) if (typeof out[c] === "string") out[c] = (out[c] as string).slice(0, 10);
        return out;
      });
    },
    async queryTable(sql) {
      const reader = await run(sql);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      return {
        columns: names.map((name, i) => ({ name, type: String(types[i]) })),
        rows: reader.getRowsJS() as unknown[][],
      };
    },
    async tables() {
      return catalog.tables.map((t) => t.name).sort();
    },
    checks(date) {
      return runChecksLocally(local, date);
    },
    close() {
      connection.closeSync();
      db.closeSync();
    },
  };
  return local;
}

/** Thrown when the local catalog does not exist yet. */
export class CatalogNotFoundError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CatalogNotFoundError";
  }
}
