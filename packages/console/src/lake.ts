/**
 * The lake page's figures, read with SQL through the `QueryEngine` port from `table_stats` and `column_stats`
 * (the transform's own report, see docs/tables.md), and the rejects' reasons from the raw zone's `_rejects/`.
 */
import { gunzipSync } from "node:zlib";
import { COLUMN_STATS, rejectsPrefix, TABLE_STATS } from "@tunelake/core/lake";
import type { ObjectStore, QueryEngine, TableInfo } from "@tunelake/core/ports";

export interface LakeOverview {
  tables: TableInfo[];
  /** Rows per table and run date over the last dates. */
  rowsPerDate: { dt: string; table_name: string; rows: number }[];
  /** Column coverage on the latest date: rows with a value per column. */
  coverage: { dt: string; table_name: string; column_name: string; non_null: number; rows: number }[];
  /** Raw items quarantined per transform entity and date. */
  rejects: { dt: string; entity: string; table_name: string; rejects: number }[];
  /** Why items were rejected, per rejects file (`_rejects/dt=D/<entity>.ndjson.gz`) of the latest dates with rejects. */
  rejectReasons: { dt: string; file: string; reason: string; count: number }[];
}

/** Counts the `_reason` of every line of a date's rejects files (extract and transform both write that field). */
export async function readRejectReasons(raw: ObjectStore, dates: string[]): Promise<LakeOverview["rejectReasons"]> {
  const out: LakeOverview["rejectReasons"] = [];
  for (const dt of dates) {
    for (const key of await raw.list(rejectsPrefix(dt))) {
      const body = await raw.get(key);
      if (!body) continue;
      const counts = new Map<string, number>();
      for (const line of gunzipSync(body).toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        let reason = "(no _reason)";
        try {
          const parsed = JSON.parse(line) as { _reason?: unknown };
          if (parsed._reason !== undefined) reason = String(parsed._reason);
        } catch {
          reason = "(not JSON)";
        }
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      const file = key.slice(rejectsPrefix(dt).length);
      for (const [reason, count] of counts) out.push({ dt, file, reason, count });
    }
  }
  return out.sort((a, b) => b.dt.localeCompare(a.dt) || a.file.localeCompare(b.file) || b.count - a.count);
}

const num = (v: unknown) => Number(v ?? 0);

/** What the lake page shows; empty lists before the first crawl catalogs the stats tables. */
export async function lakeOverview(query: QueryEngine, raw?: ObjectStore, days = 14): Promise<LakeOverview> {
  const tables = await query.tables();
  const has = (name: string) => tables.some((t) => t.name === name);
  const overview: LakeOverview = { tables, rowsPerDate: [], coverage: [], rejects: [], rejectReasons: [] };
  if (has(TABLE_STATS)) {
    const rows = await query.query(
      `SELECT dt, table_name, SUM(row_count) AS row_count FROM ${TABLE_STATS}
       WHERE dt IN (SELECT DISTINCT dt FROM ${TABLE_STATS} ORDER BY dt DESC LIMIT ${days})
       GROUP BY dt, table_name ORDER BY dt, table_name`,
    );
    overview.rowsPerDate = rows.rows.map((r) => ({
      dt: String(r.dt),
      table_name: String(r.table_name),
      rows: num(r.row_count),
    }));
    const rejects = await query.query(
      `SELECT dt, entity, table_name, SUM(reject_count) AS reject_count FROM ${TABLE_STATS}
       WHERE reject_count > 0 GROUP BY dt, entity, table_name ORDER BY dt DESC, entity, table_name LIMIT 200`,
    );
    overview.rejects = rejects.rows.map((r) => ({
      dt: String(r.dt),
      entity: String(r.entity),
      table_name: String(r.table_name),
      rejects: num(r.reject_count),
    }));
  }
  if (has(COLUMN_STATS)) {
    const rows = await query.query(
      `SELECT dt, table_name, column_name, SUM(non_null_count) AS non_null, SUM(row_count) AS row_count
       FROM ${COLUMN_STATS} WHERE dt = (SELECT MAX(dt) FROM ${COLUMN_STATS})
       GROUP BY dt, table_name, column_name ORDER BY table_name, column_name`,
    );
    overview.coverage = rows.rows.map((r) => ({
      dt: String(r.dt),
      table_name: String(r.table_name),
      column_name: String(r.column_name),
      non_null: num(r.non_null),
      rows: num(r.row_count),
    }));
  }
  if (raw) {
    const dates = [...new Set(overview.rejects.map((r) => r.dt))].slice(0, 3);
    overview.rejectReasons = await readRejectReasons(raw, dates);
  }
  return overview;
}
