/**
 * The local Glue Data Catalog, as the stack declares it: one table per curated table definition
 * (src/transform/curated-tables.ts) with the declared columns and types and `dt` as a string partition key, so a
 * table exists even before it has a row. A crawl, like the deployed crawler over its catalog targets, registers the
 * `dt=` folders of those tables only (other folders are not tables; in S3 event mode, after the first crawl, only
 * those named by the queued object-created events of crawl-events.ts), keeps the declared schema
 * (`SchemaChangePolicy` LOG, partitions inherit the table's schema) and logs every file whose schema differs from its
 * table's in the catalog's `schemaMismatches` and `<home>/catalog/crawler-log.ndjson` (Glue writes them to
 * CloudWatch), while the crawl itself succeeds. {@link openLocalCatalog} serves the tables to DuckDB under the names
 * Athena uses, reading the files by column name with the declared types, as Athena reads Parquet.
 */
import { appendFile, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import {
  CRAWLER_SETTINGS,
  type CrawlerSettings,
  crawlEventFolder,
  crawlerSettingsFingerprint,
  crawlerSettingsProblems,
  MAX_EVENTS_PER_CRAWL,
} from "@tunelake/core/catalog/crawler-settings";
import { sqlIdentifier, sqlString } from "@tunelake/core/sql-quote";
import { CATALOG_TABLES, curatedTable, duckdbType, PARTITION_KEY } from "@tunelake/core/transform/curated-tables";
import { deleteCrawlEvents, purgeCrawlEvents, receiveCrawlEvents } from "./crawl-events.ts";
import { CatalogCorruptError, CatalogNotFoundError, CrawlerSettingsRefusedError } from "./errors.ts";
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
  /** The declared columns, with their DuckDB types. */
  columns: CatalogColumn[];
  partitionKeys: CatalogColumn[];
  partitions: string[];
  /** Declared columns that at least one registered file has (the others read as NULL). */
  fileColumns?: string[];
}

/** A file whose columns differ from its table's declared columns: the crawler logs it and keeps the table's schema. */
export interface SchemaMismatch {
  table: string;
  partition: string;
  file: string;
  /** e.g. `column popularity is VARCHAR, the table declares INTEGER`. */
  problems: string[];
}

export interface CatalogFile {
  crawledAt: string;
  tables: CatalogTable[];
  schemaMismatches?: SchemaMismatch[];
  /** The settings the last crawl ran with ({@link crawlerSettingsFingerprint}): a change means a listing crawl. */
  settings?: string;
  /** What the last crawl did. */
  crawl?: CrawlStats;
}

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

/** How a file's columns differ from the declared ones (none when they match exactly, order aside). */
function schemaProblems(declared: readonly CatalogColumn[], found: readonly CatalogColumn[]): string[] {
  const problems: string[] = [];
  const byName = new Map(found.map((c) => [c.name, c.type]));
  for (const column of declared) {
    const type = byName.get(column.name);
    if (type === undefined) problems.push(`column ${column.name} is missing (it reads as NULL)`);
    else if (type !== column.type) problems.push(`column ${column.name} is ${type}, the table declares ${column.type}`);
  }
  const names = new Set(declared.map((c) => c.name));
  for (const column of found) {
    if (!names.has(column.name)) problems.push(`column ${column.name} is not declared (Athena does not see it)`);
  }
  return problems;
}

/** What one crawl did, counted as it happened: the crawl-work benchmark reads these (bench/crawl.ts). */
export interface CrawlStats {
  /**
   * `listing`: every `dt=` folder of every table was listed (the first crawl, the first after a settings change, or
   * CRAWL_EVERYTHING); `events`: only the folders named by the queued S3 events were.
   */
  mode: "listing" | "events";
  /** Event messages consumed (received and deleted; in listing mode, purged). */
  events: number;
  /** Folders listed: each table's folder in listing mode, and each `dt=` folder looked into. */
  foldersListed: number;
  /** Parquet files whose schema was read. */
  filesRead: number;
}

/** Throws what Glue answers to settings it refuses (the local crawler also crawls catalog targets only). */
const assertAccepted = (settings: CrawlerSettings): void => {
  const problems = crawlerSettingsProblems(settings);
  if (settings.targetKind !== "catalog") problems.push("the local crawler crawls catalog targets only");
  if (problems.length > 0) {
    throw new CrawlerSettingsRefusedError({ problems });
  }
};

/** One `dt=` folder's Parquet files and the columns each has. */
async function readPartition(
  connection: DuckDBConnection,
  folder: string,
): Promise<{ file: string; found: CatalogColumn[] }[]> {
  const files = (await readdir(folder).catch(() => [] as string[])).filter((f) => f.endsWith(".parquet")).sort();
  const read: { file: string; found: CatalogColumn[] }[] = [];
  for (const file of files) {
    const reader = await connection.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet(${sqlString(join(folder, file))}, hive_partitioning = false)`,
    );
    const found = reader
      .getRowObjectsJS()
      .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
    read.push({ file, found });
  }
  return read;
}

/**
 * Crawls the declared tables under `<home>/lake/curated/` and writes the catalog: every declared table, with the
 * `dt=` folders that hold a Parquet file as partitions, and the files whose schema differs from the declaration.
 *
 * Like Glue with `settings` (the stack's by default, S3 event mode): the first crawl, and the first after the settings
 * change, lists every folder (listing mode); after that an event-mode crawl receives the queued object-created events
 * (at most {@link MAX_EVENTS_PER_CRAWL}; the rest wait for the next crawl), lists and reads only the folders they name,
 * adds those partitions to the previous catalog and deletes the events. An empty queue is a crawl that does nothing.
 * Settings Glue refuses are refused (`Glue.InvalidInputException`).
 */
export async function crawlCuratedZone(
  home: string,
  settings: CrawlerSettings = CRAWLER_SETTINGS,
): Promise<CatalogFile & { crawl: CrawlStats }> {
  assertAccepted(settings);
  const paths = localPaths(home);
  const fingerprint = crawlerSettingsFingerprint(settings);
  const previous = await readCatalog(home).catch(() => undefined);
  const eventMode =
    settings.recrawlBehavior === "CRAWL_EVENT_MODE" &&
    previous?.settings === fingerprint &&
    previous.crawl !== undefined;
  const stats: CrawlStats = { mode: eventMode ? "events" : "listing", events: 0, foldersListed: 0, filesRead: 0 };
  const columnsOf = (name: (typeof CATALOG_TABLES)[number]) =>
    curatedTable(name).columns.map((c) => ({ name: c.name, type: duckdbType(c.type) }));
  const tables = new Map<string, CatalogTable>(
    CATALOG_TABLES.map((name) => {
      const before = eventMode ? previous?.tables.find((t) => t.name === name) : undefined;
      return [
        name,
        {
          name,
          location: join(paths.curated, name),
          columns: columnsOf(name),
          partitionKeys: [{ name: PARTITION_KEY.name, type: PARTITION_KEY.type }],
          partitions: [...(before?.partitions ?? [])],
          fileColumns: [...(before?.fileColumns ?? [])],
        },
      ];
    }),
  );
  let schemaMismatches: SchemaMismatch[] = eventMode ? [...(previous?.schemaMismatches ?? [])] : [];
  const newMismatches: SchemaMismatch[] = [];

  // Which folders to look into: all of them, or those the events name.
  const folders = new Map<string, Set<string>>(CATALOG_TABLES.map((name) => [name, new Set<string>()]));
  let consumed: string[] = [];
  if (eventMode) {
    const received = await receiveCrawlEvents(home, MAX_EVENTS_PER_CRAWL);
    consumed = received.map((r) => r.handle);
    stats.events = received.length;
    for (const { event } of received) {
      const folder = crawlEventFolder(event.key);
      if (folder) folders.get(folder.table)?.add(folder.dt);
    }
  } else {
    // Events queued before a listing crawl name files it lists anyway.
    if (settings.recrawlBehavior === "CRAWL_EVENT_MODE") stats.events = await purgeCrawlEvents(home);
    for (const name of CATALOG_TABLES) {
      stats.foldersListed++;
      for (const dir of await listDirs(join(paths.curated, name))) {
        if (dir.startsWith("dt=")) folders.get(name)?.add(dir.slice(3));
      }
    }
  }

  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  try {
    for (const [name, dts] of folders) {
      const table = tables.get(name)!;
      const present = new Set(table.fileColumns);
      const partitions = new Set(table.partitions);
      for (const dt of [...dts].sort()) {
        stats.foldersListed++;
        const read = await readPartition(connection, join(table.location, `dt=${dt}`));
        schemaMismatches = schemaMismatches.filter((m) => m.table !== name || m.partition !== dt);
        if (read.length === 0) continue;
        partitions.add(dt);
        for (const { file, found } of read) {
          stats.filesRead++;
          for (const c of found) if (table.columns.some((d) => d.name === c.name)) present.add(c.name);
          const problems = schemaProblems(table.columns, found);
          if (problems.length > 0) newMismatches.push({ table: name, partition: dt, file, problems });
        }
      }
      table.partitions = [...partitions].sort();
      table.fileColumns = table.columns.filter((c) => present.has(c.name)).map((c) => c.name);
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  const crawledAt = new Date().toISOString();
  const catalog = {
    crawledAt,
    tables: [...tables.values()],
    schemaMismatches: [...schemaMismatches, ...newMismatches],
    settings: fingerprint,
    crawl: stats,
  };
  await mkdir(paths.catalog, { recursive: true });
  // A query never reads half a catalog, and two runs in one process may crawl at once (runs of different dates).
  await writeJsonAtomic(paths.catalogFile, catalog);
  // Deleted once the catalog has them: a crawl that dies before leaves them queued for the next one.
  await deleteCrawlEvents(home, consumed);
  if (newMismatches.length > 0) {
    const lines = newMismatches.map((m) => JSON.stringify({ crawledAt, ...m }));
    await appendFile(crawlerLogFile(home), `${lines.join("\n")}\n`);
  }
  return catalog;
}

/** Where the local crawler logs what it did not apply (Glue: CloudWatch Logs, /aws-glue/crawlers). */
export const crawlerLogFile = (home: string): string => join(localPaths(home).catalog, "crawler-log.ndjson");

/**
 * The catalog as last crawled, or undefined before the first crawl. Each table's location is rebuilt as
 * `<home>/lake/curated/<table>` (whatever path the crawl wrote), so a home that was moved or copied reads its own
 * files, never those of the folder it came from. A file that is not a catalog of known tables is a
 * CatalogCorruptError naming it.
 */
export async function readCatalog(home: string): Promise<CatalogFile | undefined> {
  const file = localPaths(home).catalogFile;
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: CatalogFile;
  try {
    parsed = JSON.parse(text) as CatalogFile;
  } catch (error) {
    throw new CatalogCorruptError({ file, notJson: (error as Error).message }, { cause: error });
  }
  const known = new Set<string>(CATALOG_TABLES);
  const sound = (t: unknown): t is CatalogTable =>
    typeof t === "object" &&
    t !== null &&
    known.has((t as CatalogTable).name) &&
    Array.isArray((t as CatalogTable).columns) &&
    Array.isArray((t as CatalogTable).partitions) &&
    (t as CatalogTable).partitions.every((p) => typeof p === "string" && /^[0-9-]+$/.test(p));
  if (typeof parsed !== "object" || parsed === null || !Array.isArray(parsed.tables) || !parsed.tables.every(sound)) {
    throw new CatalogCorruptError({ file });
  }
  const curated = localPaths(home).curated;
  return { ...parsed, tables: parsed.tables.map((t) => ({ ...t, location: join(curated, t.name) })) };
}

/**
 * Creates one view per catalog table on a DuckDB connection: the declared columns with the declared types (a column
 * no file has reads as NULL), then `dt`. A table without partitions is an empty view with the same columns.
 */
export async function createCatalogViews(connection: DuckDBConnection, catalog: CatalogFile): Promise<void> {
  for (const table of catalog.tables) {
    const present = new Set(table.fileColumns ?? table.columns.map((c) => c.name));
    const readable = table.partitions.length > 0 && (await isDirectory(table.location));
    const select = [
      ...table.columns.map(
        (c) =>
          `CAST(${readable && present.has(c.name) ? sqlIdentifier(c.name) : "NULL"} AS ${c.type}) AS ${sqlIdentifier(c.name)}`,
      ),
      `CAST(${readable ? '"dt"' : "NULL"} AS VARCHAR) AS "dt"`,
    ].join(", ");
    const from = readable ? `FROM ${tableScan(table.location)}` : "WHERE false";
    await connection.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(table.name)} AS SELECT ${select} ${from}`);
  }
}

/** The local query engine over the catalog: what `tunelake query` and the Athena stand-in use. */
export interface LocalCatalog {
  /** Runs SQL and returns rows as plain JSON values (BigInt as number when exact, dates as ISO strings). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs SQL and returns the result's columns with their DuckDB types, and the rows as {@link query} does. */
  queryWithColumns(sql: string): Promise<{ columns: CatalogColumn[]; rows: Record<string, unknown>[] }>;
  /** Runs SQL and returns column names, DuckDB types and rows in column order (for Athena's ResultSet). */
  queryTable(sql: string): Promise<{ columns: CatalogColumn[]; rows: unknown[][] }>;
  /** Table names, as in Athena (none before the first crawl). */
  tables(): Promise<string[]>;
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
      throw new CatalogNotFoundError({ catalog: localPaths(home).catalog }, { cause: error });
    }
  };
  const rowsAndColumns = async (sql: string) => {
    const reader = await run(sql);
    const columns = reader.columnNames().map((name, i) => ({ name, type: String(reader.columnTypes()[i]) }));
    // A DATE is a day, not an instant: print it as YYYY-MM-DD rather than as midnight UTC.
    const dateColumns = columns.filter((c) => c.type === "DATE").map((c) => c.name);
    const rows = reader.getRowObjectsJS().map((row) => {
      const out = toJsonValue(row) as Record<string, unknown>;
      for (const c of dateColumns) if (typeof out[c] === "string") out[c] = (out[c] as string).slice(0, 10);
      return out;
    });
    return { columns, rows };
  };
  const local: LocalCatalog = {
    async query(sql) {
      return (await rowsAndColumns(sql)).rows;
    },
    queryWithColumns: rowsAndColumns,
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
    close() {
      connection.closeSync();
      db.closeSync();
    },
  };
  return local;
}
