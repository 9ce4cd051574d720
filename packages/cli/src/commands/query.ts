import { withBackend } from "../backend.ts";
import { type GlobalOptions, printJson, stdout } from "../context.ts";
import { UsageError } from "../errors.ts";
import { newTable } from "../table.ts";

/** `tunelake query "<SQL>"`: the same table names as in Athena (DuckDB locally, Athena on a stage). */
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
  });
}

/** Rows as a JSON array (`--json`) or a table with the query's columns. */
export function printRows(g: GlobalOptions, rows: Record<string, unknown>[], columns?: string[]): void {
  if (g.json) {
    printJson(rows);
    return;
  }
  const names = columns && columns.length > 0 ? columns : Object.keys(rows[0] ?? {});
  const table = newTable(names);
  for (const row of rows) table.push(names.map((c) => formatCell(row[c])));
  stdout().write(`${table.toString()}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
