/**
 * A curated table is one declaration (`defineTable`): what it is (kind, grain, key, columns), what it rejects, what
 * it references, the checks particular to it, and its model. Everything else (the lake's table lists, the transform's
 * order, the checks SQL, the Glue tables, IAM prefixes, Snowflake DDL, docs/tables.md) is derived from the registry
 * in `tables/index.ts`. A model names what it reads with `ref("stg_tracks")` (dbt's `ref()`): its dependencies are
 * the names it passes to `ref`, never found by reading its SQL text.
 *
 * This module imports nothing of the lake, so the lake can derive its lists from the declarations.
 */

/** The logical types a curated column can have; each maps to one DuckDB type and one Glue (Hive) type. */
export const COLUMN_TYPES = {
  string: { duckdb: "VARCHAR", glue: "string" },
  int: { duckdb: "INTEGER", glue: "int" },
  bigint: { duckdb: "BIGINT", glue: "bigint" },
  boolean: { duckdb: "BOOLEAN", glue: "boolean" },
  date: { duckdb: "DATE", glue: "date" },
  timestamp: { duckdb: "TIMESTAMP", glue: "timestamp" },
  "array<string>": { duckdb: "VARCHAR[]", glue: "array<string>" },
} as const;
export type ColumnType = keyof typeof COLUMN_TYPES;

/**
 * Who gets a value in a column: `all` (every app), `extended` (apps with extended quota: Spotify removed the field
 * from development-mode responses in 2024/2026), `user` (only sources read with a user's refresh token).
 */
export type ColumnAccess = "all" | "extended" | "user";

export interface CuratedColumn {
  name: string;
  type: ColumnType;
  description: string;
  /** Default `all`. */
  access?: ColumnAccess;
  /**
   * SQL computing the column from the model's other columns when the table is written (e.g. a date of a timestamp),
   * instead of a column of the model's SELECT: one expression for every table that declares the column. `column`
   * names a column of the model's SELECT.
   */
  derived?: (column: (name: string) => string) => string;
}

/**
 * How a table keeps history across run dates:
 * - `snapshot`: the state of each object as seen on the run date (dimension tables), one row per key per `dt`;
 * - `observation`: what a listing showed on the run date (playlist entries, search and top-item ranks);
 * - `fact`: an event stored once, in the partition of the first run that saw it (append-only);
 * - `stats`: the pipeline's own bookkeeping.
 */
export type TableKind = "snapshot" | "observation" | "fact" | "stats";

/** Names a table, staging model or raw table a model reads (`raw_<entity>`, `stg_*`, `best_*`, `other_<table>`). */
export type Ref = (name: string) => string;

/** What a model is rendered with: `ref` for what it reads, and the table's own key. */
export interface ModelContext {
  ref: Ref;
  /** The table's key columns, comma-separated (for `PARTITION BY` / `GROUP BY`). */
  key: string;
}

/** A rule a table's primary raw rows must meet; violations go to the rejects area with `reason`. */
export interface RejectRule {
  /** The SQL condition that names a bad row of alias `r`. */
  when: (r: string) => string;
  reason: string;
}

/** The raw table whose rows a table's rejects come from (`raw_<entity>`), and its rules. */
export interface RejectSpec {
  from: string;
  rules: readonly RejectRule[];
}

/** A reference that must resolve within the same run date (NULLs are not references: local files have no album). */
export interface ReferenceDeclaration {
  column: string;
  to: string;
  toColumn: string;
  /** Extra condition on the referencing rows. */
  where?: string;
}

/** A row-level rule particular to a table: the condition names a bad row. NULLs are left to the key checks. */
export interface ValueCheckDeclaration {
  name: string;
  badRow: string;
}

export interface TableDeclaration<Name extends string = string, Transform extends string = string> {
  name: Name;
  kind: TableKind;
  /** One row per ... (within one `dt` partition). */
  grain: string;
  /** The columns that identify a row within one `dt` partition: checked non-null and unique, deduplicated on. */
  key: readonly string[];
  description: string;
  /** Column order is the order in the Parquet files. */
  columns: readonly CuratedColumn[];
  /** The transform entity (one Transform Lambda invocation) that writes the table. */
  transform: Transform;
  rejects?: RejectSpec;
  /**
   * References checked by the Validate query. It reads a referenced table once more per reference to it, and stays
   * at two reads per table (checks/checks-sql.ts): a table can be the target of one reference. The library tables'
   * ids are in tracks, albums and artists by construction (the same raw lines feed both) and declare none.
   */
  references?: readonly ReferenceDeclaration[];
  checks?: readonly ValueCheckDeclaration[];
  /** The SELECT that produces the table (cast to the declared columns afterwards). */
  model: (ctx: ModelContext) => string;
}

/** Declares a curated table (see the module comment). */
export function defineTable<const Name extends string, const Transform extends string>(
  table: TableDeclaration<Name, Transform>,
): TableDeclaration<Name, Transform> {
  return table;
}

/**
 * A staging model the tables read: `table` is built once per session and stored; `view` is bound again by every query
 * that reads it (cheaper only for a model read once whose binding is cheap).
 */
export interface StagingModel {
  name: string;
  materialized: "view" | "table";
  model: (ctx: { ref: Ref }) => string;
}

export function defineModel(model: StagingModel): StagingModel {
  return model;
}

/** Renders a model and lists what it refs, in first-use order. */
export function renderModel(model: (ctx: ModelContext) => string, key = ""): { sql: string; refs: string[] } {
  const refs = new Set<string>();
  const sql = model({
    ref: (name) => {
      refs.add(name);
      return name;
    },
    key,
  });
  return { sql, refs: [...refs] };
}

/** True when the row (alias `r`) of a table's primary raw entity breaks one of the rules. */
export function rejectedBy(spec: RejectSpec | undefined, r: string): string {
  if (!spec) return "false";
  return `coalesce(${spec.rules.map((rule) => `(${rule.when(r)})`).join(" OR ")}, false)`;
}
