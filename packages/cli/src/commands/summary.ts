/** What a user wants to see after a run: the execution's outcome, rows per table, and the checks. */
import { TABLE_STATS } from "@tunelake/core/lake";
import { openLocalCatalog } from "@tunelake/core/local/catalog";
import type { ExecutionRecord } from "@tunelake/core/local/executions";
import pc from "picocolors";
import { newTable } from "../table.ts";

export interface RunSummary {
  execution: string;
  status: string;
  date: string;
  failedStage?: string;
  error?: string;
  cause?: string;
  tables: { table: string; rows: number; rejects: number }[];
  checks: { check: string; failedRows: number }[];
}

/** Builds the summary from the execution record and the local catalog (table_stats, the checks). */
export async function summarize(home: string, record: ExecutionRecord): Promise<RunSummary> {
  const { date } = record;
  const summary: RunSummary = {
    execution: record.name,
    status: record.status,
    date,
    tables: [],
    checks: [],
    ...(record.failedStage ? { failedStage: record.failedStage } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.cause ? { cause: record.cause } : {}),
  };
  const catalog = await openLocalCatalog(home);
  try {
    const tables = await catalog.tables();
    if (tables.includes(TABLE_STATS)) {
      const rows = await catalog.query(
        `SELECT table_name, sum(row_count) AS rows, sum(reject_count) AS rejects FROM ${TABLE_STATS} WHERE dt = '${date}' GROUP BY table_name ORDER BY table_name`,
      );
      summary.tables = rows.map((r) => ({
        table: String(r.table_name),
        rows: Number(r.rows),
        rejects: Number(r.rejects),
      }));
    }
    if (record.status === "SUCCEEDED" || record.failedStage === "Validate") {
      summary.checks = (await catalog.checks(date)).map((r) => ({ check: r.check_name, failedRows: r.failed_rows }));
    }
  } finally {
    catalog.close();
  }
  return summary;
}

/** Human-readable summary on stdout. */
export function printSummary(s: RunSummary): void {
  const ok = s.status === "SUCCEEDED";
  const out: string[] = [];
  out.push("");
  out.push(`${ok ? pc.green("SUCCEEDED") : pc.red(s.status)}  execution ${pc.bold(s.execution)}  date ${s.date}`);
  if (!ok) {
    out.push(`failed stage: ${s.failedStage ?? "?"}`);
    if (s.error) out.push(`error: ${s.error}`);
    if (s.cause) out.push(`cause: ${s.cause}`);
    out.push(`resume it with: npx tunelake redrive ${s.execution}`);
  }
  if (s.tables.length > 0) {
    const table = newTable(["table", "rows", "rejects"]);
    for (const t of s.tables) table.push([t.table, String(t.rows), String(t.rejects)]);
    out.push(table.toString());
  }
  if (s.checks.length > 0) {
    const failed = s.checks.filter((c) => c.failedRows > 0);
    out.push(
      failed.length === 0
        ? pc.green(`all ${s.checks.length} data-quality checks passed`)
        : pc.red(
            `${failed.length} of ${s.checks.length} checks failed: ${failed.map((c) => `${c.check} (${c.failedRows})`).join(", ")}`,
          ),
    );
  }
  process.stdout.write(`${out.join("\n")}\n`);
}
