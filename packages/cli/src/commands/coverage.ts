/** After a run: the columns that came out mostly empty (from column_stats), and why when it is known. */
import { assertRunDate, COLUMN_STATS, manifestKey } from "@tunelake/core/lake";
import type { ObjectStore, QueryEngine } from "@tunelake/core/ports";
import { MOSTLY_EMPTY, type SparseColumn, sparseColumns } from "@tunelake/core/transform/column-coverage";
import { wrap } from "../wrap.ts";

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

/** Joins the words of one item so that wrapping never separates a column list from its share. */
const KEEP = "\u0001";

/**
 * The mostly empty columns as notes to print under the table: one group per reason (said once), each listing its
 * tables and columns with their filled share, wrapped to `width`; a single group shares the heading's line.
 */
export function gapNotes(sparse: readonly SparseColumn[], width: number): string[] {
  if (sparse.length === 0) return [];
  // (docs/tables.md explains each reason; the README points there.)
  const heading = `Under ${MOSTLY_EMPTY * 100}% filled:`;
  const byReason = new Map<string, SparseColumn[]>();
  for (const c of sparse) byReason.set(c.reason, [...(byReason.get(c.reason) ?? []), c]);
  const groups = [...byReason].map(([reason, columns]) => {
    const byTable = new Map<string, SparseColumn[]>();
    for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
    const tables = [...byTable].map(([table, cs]) => {
      const share = Math.round((100 * cs.reduce((n, c) => n + c.filled, 0)) / cs.reduce((n, c) => n + c.rows, 0));
      return `${table}.{${cs.map((c) => c.column).join(",")}}${KEEP}${share}%`;
    });
    return `${tables.join("; ")}: ${reason}.`;
  });
  const lines =
    groups.length === 1
      ? wrap(`${heading} ${groups[0]}`, width, "  ")
      : [...wrap(heading, width), ...groups.flatMap((group) => wrap(`- ${group}`, width, "  "))];
  return lines.map((line) => line.replaceAll(KEEP, " "));
}
