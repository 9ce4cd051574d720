import type { QueryResult } from "@tunelake/core/ports";
import { truncationMessage } from "@tunelake/core/query-limits";
import { withBackend } from "../backend.ts";
import { type GlobalOptions, printJson } from "../context.ts";
import { UsageError } from "../errors.ts";
import { dataCell, newTable } from "../table.ts";

/**
 * `tunelake query "<SQL>"`: the same table names as in Athena (DuckDB locally, Athena on a stage). Read-only: one
 * SELECT, refused otherwise (QueryRefusedError, exit 2), with a time limit and row and byte caps.
 */
export async function queryCommand(g: GlobalOptions, sql: string, opts: { stage?: string }): Promise<void> {
  if (!sql.trim()) {
    throw new UsageError('The SQL is empty: give a query, e.g. tunelake query "SELECT count(*) FROM tracks".');
  }
  await withBackend(g, { stage: opts.stage }, async (backend) => {
    const result = await backend.query().query(sql);
    printRows(
      g,
      result.rows,
      result.columns.map((c) => c.name),
    );
    printTruncation(g, result);
  });
}

/**
 * Says that the rows stopped at a cap: on stdout after the table, or with `--json` (whose stdout stays the array of
 * rows) as a JSON object on stderr.
 */
export function printTruncation(g: GlobalOptions, result: QueryResult): void {
  if (!result.truncated) return;
  const message = truncationMessage(result.truncated, result.rows.length);
  if (g.json) process.stderr.write(`${JSON.stringify({ truncated: result.truncated, message })}\n`);
  else process.stdout.write(`${message}\n`);
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
  process.stdout.write(`${table.toString()}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
}
