/**
 * The `QueryEngine` port over the local catalog: DuckDB views named as the Athena tables, opened on the first query
 * and reused until `close`.
 */

import type { QueryEngine, QueryResult, TableInfo } from "@tunelake/core/ports";
import { type ColumnType, duckdbType } from "@tunelake/core/transform/curated-tables";
import { type LocalCatalog, openLocalCatalog, readCatalog } from "./catalog.ts";

/** SQL over `<home>`'s catalog, as `tunelake query` runs it without `--stage`. */
export function createLocalQueryEngine(home: string): QueryEngine {
  let catalog: Promise<LocalCatalog> | undefined;
  return {
    backend: "local",
    async query(sql): Promise<QueryResult> {
      catalog ??= openLocalCatalog(home);
      const { columns, rows } = await (await catalog).queryWithColumns(sql);
      return { columns, rows };
    },
    async tables(): Promise<TableInfo[]> {
      const crawled = await readCatalog(home);
      return (crawled?.tables ?? [])
        .map((t) => ({
          name: t.name,
          // The catalog keeps the partition key's declared type (`string`); the views read it as DuckDB's VARCHAR.
          columns: [
            ...t.columns,
            ...t.partitionKeys.map((k) => ({ name: k.name, type: duckdbType(k.type as ColumnType) })),
          ],
          location: t.location,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async close() {
      const opened = catalog;
      catalog = undefined;
      if (opened) (await opened.catch(() => undefined))?.close();
    },
  };
}
