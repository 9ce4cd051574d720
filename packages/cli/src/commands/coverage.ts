/** After a run: the columns that came out mostly empty (from column_stats), and why when it is known. */
import { assertRunDate, COLUMN_STATS, manifestKey } from "@tunelake/core/lake";
import type { ObjectStore, QueryEngine } from "@tunelake/core/ports";
import { MOSTLY_EMPTY, type SparseColumn, sparseColumns } from "@tunelake/core/transform/column-coverage";
import pc from "picocolors";
import { stdout } from "../context.ts";

/** The date's manifest fields the reasons depend on (none when it cannot be read). */
async function readManifest(raw: ObjectStore, date: string): Promise<{ accessProfile?: string; skipped?: string[] }> {
  const body = await raw.get(manifestKey(date)).catch(() => undefined);
  if (!body) return {};
  try {
    return JSON.parse(body.toString("utf8")) as { accessProfile?: string; skipped?: string[] };
  } catch {
    return {};
  }
}

/** The mostly empty columns of `date` (none when column_stats has no rows for it), locally or on a stage. */
export async function findSparseColumns(query: QueryEngine, raw: ObjectStore, date: string): Promise<SparseColumn[]> {
  if (!(await query.tables()).some((t) => t.name === COLUMN_STATS)) return [];
  const manifest = await readManifest(raw, date);
  const { rows } = await query.query(
    `SELECT table_name, column_name, sum(non_null_count) AS filled, sum(row_count) AS n FROM ${COLUMN_STATS}
     WHERE dt = '${assertRunDate(date)}' GROUP BY table_name, column_name`,
  );
  const userToken = manifest.skipped ? !manifest.skipped.some((s) => s.includes("SPOTIFY_REFRESH_TOKEN")) : undefined;
  return sparseColumns(
    rows.map((r) => ({
      table: String(r.table_name),
      column: String(r.column_name),
      filled: Number(r.filled),
      rows: Number(r.n),
    })),
    { accessProfile: manifest.accessProfile, userToken },
  );
}

/** Prints the mostly empty columns of a run (nothing when every column is mostly filled, or they cannot be read). */
export async function printSparseColumns(query: QueryEngine, raw: ObjectStore, date: string): Promise<void> {
  const sparse = await findSparseColumns(query, raw, date).catch(() => []);
  if (sparse.length === 0) return;
  const lines = [pc.yellow(`columns less than ${MOSTLY_EMPTY * 100}% filled (column_stats):`)];
  for (const c of sparse) {
    const share = Math.round((100 * c.filled) / c.rows);
    lines.push(`  ${c.table}.${c.column}: ${share}% of ${c.rows} rows: ${c.reason}`);
  }
  stdout().write(`${lines.join("\n")}\n`);
}
