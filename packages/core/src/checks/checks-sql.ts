/**
 * The data-quality gate: ONE parameterized SQL that runs on Athena (Trino) and on DuckDB alike, so the laptop and the
 * cloud judge a run the same way. Only the common subset of both dialects is used: CTEs, scalar subqueries,
 * `UNION ALL`, `CASE`, `count`, `sum`, `abs`, `CAST(... AS BIGINT)`, double-quoted identifiers.
 *
 * The only parameter is the run date: one `?` per table read (Athena `ExecutionParameters` `["'2026-11-21'", ...]`,
 * {@link CHECKS_PARAMETER_COUNT} times), always in a WHERE clause (Athena accepts `?` nowhere else) and next to the
 * table it filters, so Athena prunes the `dt` partitions.
 * One row per check: `check_name, failed_rows`, worst first, so the state machine looks at the first data row only;
 * then `failed_check`, `name=rows` for a check that failed and `-` for one that passed, so that the failure's cause
 * names only checks that failed (the state machine's JSONPath cannot filter rows; `-` rather than an empty string,
 * which a result row may leave out).
 *
 * Athena runs it on Trino, which inlines WITH queries and refuses plans above 100 stages: the SQL reads each curated
 * table at most twice and `table_stats` once, counted with CTEs inlined (src/checks/trino-sql.ts measures it; the
 * test of this file enforces it). One query rather than a Map of per-table queries: one Athena execution per run
 * keeps one query id holding every result, one `GetValidationResults` and the worst-first ordering the state
 * machine's Choice reads, and at about 14 table reads it is far below the stage limit.
 */
import { DEFAULT_FRESHNESS_TOLERANCE_DAYS } from "../config/schema.ts";
import { ExecutionParametersError } from "../errors.ts";
import { CURATED_TABLES, type CuratedTable, TABLE_STATS } from "../lake.ts";
import { sqlIdentifier, sqlString } from "../sql-quote.ts";
import { TABLES, tableDeclaration } from "../tables/index.ts";

/** A reference that must resolve within the same run date (NULLs are not references: local files have no album). */
interface ReferenceCheck {
  name: string;
  from: CuratedTable;
  column: string;
  to: string;
  toColumn: string;
  /** Extra condition on the referencing rows. */
  where?: string;
}

/** Every table's references, as its declaration lists them, named `<table>_<column>_resolves`. */
export const REFERENCE_CHECKS: readonly ReferenceCheck[] = TABLES.flatMap((t) =>
  (t.references ?? []).map((r) => ({ name: `${t.name}_${r.column}_resolves`, from: t.name, ...r })),
);

/** Row-level rules particular to a table, as its declaration lists them. NULLs are left to the key checks. */
export const VALUE_CHECKS: readonly { name: string; table: CuratedTable; badRow: string }[] = TABLES.flatMap((t) =>
  (t.checks ?? []).map((c) => ({ name: c.name, table: t.name, badRow: c.badRow })),
);

/**
 * Freshness: every snapshot table whose declaration has `_fetched_at` (objects carried forward keep the time they were
 * fetched, docs/tables.md "Incremental runs") fails a row fetched more than the tolerance before its run date, e.g.
 * an object carried forward stale for weeks. The tolerance is the only setting of the checks SQL.
 */
export const FRESHNESS_TABLES: readonly CuratedTable[] = TABLES.filter(
  (t) => t.kind === "snapshot" && t.columns.some((c) => c.name === "_fetched_at"),
).map((t) => t.name);

export interface ChecksOptions {
  /** Days a snapshot row's `_fetched_at` may lie before its run date (default {@link DEFAULT_FRESHNESS_TOLERANCE_DAYS}). */
  freshnessToleranceDays?: number;
}

const freshnessChecks = (options: ChecksOptions) => {
  const days = Math.trunc(options.freshnessToleranceDays ?? DEFAULT_FRESHNESS_TOLERANCE_DAYS);
  return FRESHNESS_TABLES.map((table) => ({
    name: `${table}_fetched_within_tolerance`,
    table,
    badRow: `CAST("_fetched_at" AS DATE) < CAST("dt" AS DATE) - INTERVAL '${days}' DAY`,
  }));
};

const valueChecks = (options: ChecksOptions) => [...VALUE_CHECKS, ...freshnessChecks(options)];

/** The references whose rows are in `table`: checked in the same scan as the table's own checks. */
const referencesFrom = (table: CuratedTable) => REFERENCE_CHECKS.filter((r) => r.from === table);

/** How many `?` the checks SQL has: all are the run date (one per table scan, one per referenced table, stats). */
export const CHECKS_PARAMETER_COUNT = CURATED_TABLES.length + REFERENCE_CHECKS.length + 1;

/** The names of every check, in the order the SQL lists them (results are sorted by failed rows). */
export function checkNames(): string[] {
  return [
    ...CURATED_TABLES.flatMap((t) => [
      `${t}_row_count_matches_report`,
      `${t}_not_empty`,
      `${t}_key_not_null`,
      `${t}_key_unique`,
    ]),
    ...REFERENCE_CHECKS.map((r) => r.name),
    ...valueChecks({}).map((v) => v.name),
  ];
}

/**
 * One scan of a curated table for the run date that measures all its checks at once: rows grouped by the key give
 * the row count (`sum(n)`), the duplicates (`sum(n - 1)`), the NULL keys, and per group the bad values and the
 * unresolved references (each referenced table joined as the DISTINCT set of its ids, so no row is multiplied; its
 * only column is `ref_id`, so the conditions' bare column names are the scanned table's).
 * The result is one row per check of the table: `table_name, measure, check_name, failed_rows`, where `measure` says
 * whether `failed_rows` is final (`own`) or is the actual row count that the stats comparison turns into a result.
 */
function tableScan(table: CuratedTable, options: ChecksOptions): string {
  const keys = tableDeclaration(table).key;
  const refs = referencesFrom(table);
  const values = valueChecks(options).filter((v) => v.table === table);
  const joins = refs.map(
    (r, i) =>
      `LEFT JOIN (SELECT DISTINCT ${sqlIdentifier(r.toColumn)} AS ref_id FROM ${sqlIdentifier(r.to)} WHERE "dt" = ?) AS r${i} ON r${i}.ref_id = f.${sqlIdentifier(r.column)}`,
  );
  const perGroup = [
    ...keys.map((k) => `f.${sqlIdentifier(k)} AS ${sqlIdentifier(k)}`),
    "count(*) AS n",
    ...values.map((v, i) => `sum(CASE WHEN ${v.badRow} THEN 1 ELSE 0 END) AS value_${i}`),
    ...refs.map(
      (r, i) =>
        `sum(CASE WHEN f.${sqlIdentifier(r.column)} IS NOT NULL${r.where ? ` AND ${r.where}` : ""} AND r${i}.ref_id IS NULL THEN 1 ELSE 0 END) AS ref_${i}`,
    ),
  ];
  const grouped = `SELECT ${perGroup.join(", ")} FROM ${sqlIdentifier(table)} AS f ${joins.join(" ")} WHERE f."dt" = ? GROUP BY ${keys
    .map((k) => `f.${sqlIdentifier(k)}`)
    .join(", ")}`;
  const measures = [
    "coalesce(sum(n), 0) AS actual_rows",
    "coalesce(sum(n - 1), 0) AS duplicate_rows",
    `coalesce(sum(CASE WHEN ${keys.map((k) => `${sqlIdentifier(k)} IS NULL`).join(" OR ")} THEN n ELSE 0 END), 0) AS null_key_rows`,
    ...values.map((_, i) => `coalesce(sum(value_${i}), 0) AS value_${i}`),
    ...refs.map((_, i) => `coalesce(sum(ref_${i}), 0) AS ref_${i}`),
  ];
  const checks: [measure: string, name: string, failedRows: string][] = [
    ["row_count", `${table}_row_count_matches_report`, "m.actual_rows"],
    ["not_empty", `${table}_not_empty`, "m.actual_rows"],
    ["own", `${table}_key_not_null`, "m.null_key_rows"],
    ["own", `${table}_key_unique`, "m.duplicate_rows"],
    ...refs.map((r, i): [string, string, string] => ["own", r.name, `m.ref_${i}`]),
    ...values.map((v, i): [string, string, string] => ["own", v.name, `m.value_${i}`]),
  ];
  const names = `(VALUES ${checks.map(([measure, name]) => `(${sqlString(measure)}, ${sqlString(name)})`).join(", ")}) AS c(measure, check_name)`;
  const picked = `CASE c.check_name ${checks.map(([, name, value]) => `WHEN ${sqlString(name)} THEN ${value}`).join(" ")} END`;
  return `  SELECT ${sqlString(table)} AS table_name, c.measure, c.check_name, CAST(${picked} AS BIGINT) AS failed_rows
  FROM (SELECT ${measures.join(", ")} FROM (${grouped}) AS g) AS m
  CROSS JOIN ${names}`;
}

/**
 * The checks SQL with one `?` per table read for the run date ({@link CHECKS_PARAMETER_COUNT}).
 *
 * Trino inlines every reference to a WITH query, so the SQL references each CTE once: each curated table is read
 * once for its own checks and once more only when another table's references point at it, `table_stats` once.
 */
export function buildChecksSql(options: ChecksOptions = {}): string {
  const stats = `SELECT "table_name", sum("row_count") AS reported_rows, sum("reject_count") AS rejected_rows FROM ${sqlIdentifier(
    TABLE_STATS,
  )} WHERE "dt" = ? GROUP BY "table_name"`;
  // A missing report counts as one failed row: the transform of this table did not finish. A table is empty
  // against its report when the source produced data (rows or rejects were reported) but it has no rows.
  const result = `CASE s.measure
    WHEN 'row_count' THEN coalesce(abs(s.failed_rows - st.reported_rows), 1)
    WHEN 'not_empty' THEN CASE WHEN s.failed_rows = 0 AND (coalesce(st.reported_rows, 0) > 0 OR coalesce(st.rejected_rows, 0) > 0) THEN 1 ELSE 0 END
    ELSE s.failed_rows END`;
  return [
    `WITH stats AS (${stats}),`,
    `scans AS (\n${CURATED_TABLES.map((t) => tableScan(t, options)).join("\n  UNION ALL\n")}\n),`,
    `checks AS (SELECT s.check_name, CAST(${result} AS BIGINT) AS failed_rows FROM scans AS s LEFT JOIN stats AS st ON st."table_name" = s.table_name)`,
    `SELECT check_name, failed_rows, CASE WHEN failed_rows > 0 THEN check_name || '=' || CAST(failed_rows AS VARCHAR) ELSE '-' END AS failed_check FROM checks ORDER BY failed_rows DESC, check_name`,
  ].join("\n");
}

/**
 * Binds positional parameters the way Athena binds `ExecutionParameters`: each `?` is replaced by the next value,
 * which is already an SQL literal (e.g. `'2026-11-21'`).
 */
export function bindExecutionParameters(sql: string, parameters: readonly string[]): string {
  let next = 0;
  const bound = sql.replace(/\?/g, () => parameters[next++] ?? "?");
  if (next !== parameters.length) {
    throw new ExecutionParametersError({ placeholders: next, parameters: parameters.length });
  }
  return bound;
}

/** The run date as an execution parameter: an SQL string literal. */
export const runDateParameter = (date: string): string => sqlString(date);

/** The ExecutionParameters of the checks SQL for a run date. */
export const checksParameters = (date: string): string[] =>
  Array.from({ length: CHECKS_PARAMETER_COUNT }, () => runDateParameter(date));
