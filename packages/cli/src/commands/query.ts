import type { QueryResult } from "@tunelake/core/ports";
import { type QueryLimits, readQueryLimits, truncationMessage } from "@tunelake/core/query-limits";
import type { Backend } from "../backend.ts";
import { cliEnv, type GlobalOptions, printJson, stderr, stdout } from "../context.ts";
import { UsageError } from "../errors.ts";
import { dataCell, newTable } from "../table.ts";

export interface QueryCommandOptions {
  /** `--timeout <seconds>`, over TUNELAKE_QUERY_TIMEOUT_SECONDS. */
  timeout?: string;
  /** `--max-rows <n>`, over TUNELAKE_QUERY_MAX_ROWS. */
  maxRows?: string;
}

const positive = (flag: string, text: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError({ reason: "notPositive", flag, value: text });
  return value;
};

/** The limits from the TUNELAKE_QUERY_* variables, with the command's flags over them. */
export function queryLimitsFor(opts: QueryCommandOptions): QueryLimits {
  const limits = readQueryLimits(cliEnv());
  if (opts.timeout !== undefined) limits.timeoutMs = Math.ceil(positive("--timeout", opts.timeout) * 1000);
  if (opts.maxRows !== undefined) limits.maxRows = Math.ceil(positive("--max-rows", opts.maxRows));
  return limits;
}

/**
 * `tunelake query "<SQL>"`: the same table names as in Athena (DuckDB locally, Athena on a stage). Read-only: one
 * SELECT, refused otherwise (QueryRefusedError, exit 2), with a time limit and row and byte caps.
 */
export async function queryCommand(
  backend: Backend,
  g: GlobalOptions,
  sql: string,
  opts: QueryCommandOptions,
): Promise<void> {
  if (!sql.trim()) {
    throw new UsageError({ reason: "emptySql" });
  }
  const result = await backend.query(queryLimitsFor(opts)).query(sql);
  printRows(
    g,
    result.rows,
    result.columns.map((c) => c.name),
  );
  printTruncation(g, result);
}

/**
 * Says that the rows stopped at a cap: on stdout after the table, or with `--json` (whose stdout stays the array of
 * rows) as a JSON object on stderr.
 */
export function printTruncation(g: GlobalOptions, result: QueryResult): void {
  if (!result.truncated) return;
  const message = truncationMessage(result.truncated, result.rows.length);
  if (g.json) stderr().write(`${JSON.stringify({ truncated: result.truncated, message })}\n`);
  else stdout().write(`${message}\n`);
}

/** Rows as a JSON array (`--json`) or a table with the query's columns, every cell terminal-safe. */
export function printRows(g: GlobalOptions, rows: Record<string, unknown>[], columns?: string[]): void {
  if (g.json) {
    printJson(rows);
    return;
  }
  const names = columns && columns.length > 0 ? columns : Object.keys(rows[0] ?? {});
  const table = newTable(names);
  for (const row of rows) table.push(names.map((c) => dataCell(row[c])));
  stdout().write(`${table.toString()}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
}
