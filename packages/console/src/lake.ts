/**
 * The lake page's figures, read with SQL through the `QueryEngine` port from `table_stats` and `column_stats`
 * (the transform's own report, see docs/tables.md).
 */

import { COLUMN_STATS, TABLE_STATS } from "@tunelake/core/lake";
import type { QueryEngine, TableInfo } from "@tunelake/core/ports";

export interface LakeOverview {
  tables: TableInfo[];
  /** Rows per table and run date over the last dates. */
  rowsPerDate: { dt: string; table_name: string; rows: number }[];
  /** Column coverage on the latest date: rows with a value per column. */
  coverage: { dt: string; table_name: string; column_name: string; non_null: number; rows: number }[];
  /** Raw items quarantined per transform entity and date. */
  rejects: { dt: string; entity: string; table_name: string; rejects: number }[];
}

const num = (v: unknown) => Number(v ?? 0);

/** What the lake page shows; empty lists before the first crawl catalogs the stats tables. */
export async function lakeOverview(query: QueryEngine, days = 14): Promise<LakeOverview> {
  const tables = await query.tables();
  const has = (name: string) => tables.some((t) => t.name === name);
  const overview: LakeOverview = { tables, rowsPerDate: [], coverage: [], rejects: [] };
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
  return overview;
}
