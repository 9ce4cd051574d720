import { ConfigError } from "@tunelake/core/errors";
import { openLocalCatalog } from "@tunelake/local/catalog";
import { type GlobalOptions, printJson } from "../context.ts";
import { newTable } from "../table.ts";
import { cloudQueryCommand } from "./cloud.ts";

/** `tunelake query "<SQL>"`: the same table names as in Athena. */
export async function queryCommand(g: GlobalOptions, sql: string, opts: { stage?: string }): Promise<void> {
  if (!sql.trim()) {
    throw new ConfigError('The SQL is empty: give a query, e.g. tunelake query "SELECT count(*) FROM tracks".');
  }
  if (opts.stage) {
    await cloudQueryCommand(g, opts.stage, sql);
    return;
  }
  const catalog = await openLocalCatalog(g.home);
  try {
    printRows(g, await catalog.query(sql));
  } finally {
    catalog.close();
  }
}

/** Rows as a JSON array (`--json`) or a table. */
export function printRows(g: GlobalOptions, rows: Record<string, unknown>[]): void {
  if (g.json) {
    printJson(rows);
    return;
  }
  const columns = rows.length > 0 ? Object.keys(rows[0] ?? {}) : [];
  const table = newTable(columns);
  for (const row of rows) table.push(columns.map((c) => formatCell(row[c])));
  process.stdout.write(`${table.toString()}\n(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
