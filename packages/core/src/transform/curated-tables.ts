/**
 * The catalog's tables: the curated tables as declared in the registry (tables/index.ts) plus the pipeline's stats
 * tables. Their columns and types are the one definition that the transform's final casts, the Glue tables of
 * the stack and docs/tables.md are all made from. Column order is the order in the Parquet files. `dt` is not a
 * column of the files: it is the partition key (a string `YYYY-MM-DD`) of every table.
 */
import { COLUMN_STATS, CURATED_TABLES, type CuratedTable, TABLE_STATS } from "../lake.ts";
import { sqlIdentifier } from "../sql-quote.ts";
import { COLUMN_TYPES, type ColumnType, type CuratedColumn, type TableKind } from "../tables/define-table.ts";
import { TABLES } from "../tables/index.ts";

export {
  COLUMN_TYPES,
  type ColumnAccess,
  type ColumnType,
  type CuratedColumn,
  type TableKind,
} from "../tables/define-table.ts";

/** A table of the catalog: a curated table or one of the pipeline's stats tables. */
export type CatalogTableName = CuratedTable | typeof TABLE_STATS | typeof COLUMN_STATS;

export interface CuratedTableDefinition {
  name: CatalogTableName;
  kind: TableKind;
  /** One row per ... (within one `dt` partition). */
  grain: string;
  /** The columns that identify a row within one `dt` partition. */
  key: readonly string[];
  description: string;
  columns: readonly CuratedColumn[];
}

/** Every curated table (from the registry, tables/index.ts), `table_stats` and `column_stats` included, in lake order. */
export const CURATED_TABLE_DEFINITIONS: Record<CatalogTableName, CuratedTableDefinition> = {
  ...(Object.fromEntries(
    TABLES.map((t): [CuratedTable, CuratedTableDefinition] => [
      t.name,
      { name: t.name, kind: t.kind, grain: t.grain, key: t.key, description: t.description, columns: t.columns },
    ]),
  ) as Record<CuratedTable, CuratedTableDefinition>),
  [TABLE_STATS]: {
    name: TABLE_STATS,
    kind: "stats",
    grain: "one curated table written by one transform entity",
    key: ["table_name", "entity"],
    description:
      "Rows and rejects per table, as the transform reported them; the data-quality checks compare against it.",
    columns: [
      { name: "table_name", type: "string", description: "curated table" },
      { name: "row_count", type: "bigint", description: "rows written for the run date" },
      { name: "reject_count", type: "bigint", description: "raw items quarantined in the rejects area" },
      { name: "entity", type: "string", description: "transform entity that wrote the table" },
    ],
  },
  [COLUMN_STATS]: {
    name: COLUMN_STATS,
    kind: "stats",
    grain: "one column of one curated table written by one transform entity",
    key: ["table_name", "column_name"],
    description:
      "Column coverage: how many rows of each table have a value in each column (a column Spotify stopped returning, or withholds from the app's access profile, shows here as mostly empty).",
    columns: [
      { name: "table_name", type: "string", description: "curated table" },
      { name: "column_name", type: "string", description: "column of that table" },
      { name: "non_null_count", type: "bigint", description: "rows with a value (not NULL) for the run date" },
      { name: "row_count", type: "bigint", description: "rows of the table for the run date" },
      { name: "entity", type: "string", description: "transform entity that wrote the table" },
    ],
  },
};

/** Every table the catalog holds: the curated tables, `table_stats` and `column_stats`. */
export const CATALOG_TABLES = [...CURATED_TABLES, TABLE_STATS, COLUMN_STATS] as const;

/** The partition key of every curated table. */
export const PARTITION_KEY = { name: "dt", type: "string", description: "run date, YYYY-MM-DD" } as const;

/** A table's definition. */
export function curatedTable(name: CatalogTableName): CuratedTableDefinition {
  return CURATED_TABLE_DEFINITIONS[name];
}

/** The DuckDB type of a column. */
export function duckdbType(type: ColumnType): string {
  return COLUMN_TYPES[type].duckdb;
}

/** The Glue (Hive DDL) type of a column, as Athena reads it. */
export function glueType(type: ColumnType): string {
  return COLUMN_TYPES[type].glue;
}

/**
 * Wraps a table's SELECT so the written file has exactly the defined columns, in order, with the defined types:
 * the transform's casts come from the definition, never from hand-written SQL alone.
 */
export function projectDefinedColumns(table: CatalogTableName, select: string): string {
  const columns = curatedTable(table).columns.map(
    (c) =>
      `CAST(${c.derived ? c.derived((name) => `defined.${sqlIdentifier(name)}`) : sqlIdentifier(c.name)} AS ${duckdbType(c.type)}) AS ${sqlIdentifier(c.name)}`,
  );
  return `SELECT ${columns.join(", ")} FROM (${select}) AS defined`;
}
