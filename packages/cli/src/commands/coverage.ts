/** After a local run: the columns that came out mostly empty (from column_stats), and why when it is known. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { COLUMN_STATS, manifestKey } from "@tunelake/core/lake";
import { MOSTLY_EMPTY, type SparseColumn, sparseColumns } from "@tunelake/core/transform/column-coverage";
import { openLocalCatalog } from "@tunelake/local/catalog";
import { localPaths } from "@tunelake/local/paths";
import pc from "picocolors";

/** The mostly empty columns of `date` in the local lake (none when column_stats has no rows for it). */
export async function localSparseColumns(home: string, date: string): Promise<SparseColumn[]> {
  const manifest = await readFile(join(localPaths(home).raw, manifestKey(date)), "utf8")
    .then((text) => JSON.parse(text) as { accessProfile?: string; skipped?: string[] })
    .catch(() => undefined);
  const catalog = await openLocalCatalog(home);
  try {
    if (!(await catalog.tables()).includes(COLUMN_STATS)) return [];
    const rows = await catalog.query(
      `SELECT table_name, column_name, sum(non_null_count) AS filled, sum(row_count) AS n FROM ${COLUMN_STATS}
       WHERE dt = '${date}' GROUP BY table_name, column_name`,
    );
    const userToken = manifest?.skipped
      ? !manifest.skipped.some((s) => s.includes("SPOTIFY_REFRESH_TOKEN"))
      : undefined;
    return sparseColumns(
      rows.map((r) => ({
        table: String(r.table_name),
        column: String(r.column_name),
        filled: Number(r.filled),
        rows: Number(r.n),
      })),
      { accessProfile: manifest?.accessProfile, userToken },
    );
  } finally {
    catalog.close();
  }
}

/** Prints the mostly empty columns of a run (nothing when every column is mostly filled). */
export async function printSparseColumns(home: string, date: string): Promise<void> {
  const sparse = await localSparseColumns(home, date).catch(() => []);
  if (sparse.length === 0) return;
  const lines = [pc.yellow(`columns less than ${MOSTLY_EMPTY * 100}% filled (column_stats):`)];
  for (const c of sparse) {
    const share = Math.round((100 * c.filled) / c.rows);
    lines.push(`  ${c.table}.${c.column}: ${share}% of ${c.rows} rows: ${c.reason}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
