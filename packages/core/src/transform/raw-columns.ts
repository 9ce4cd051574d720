/**
 * The columns the transform reads per raw entity. Every field is typed explicitly, so a field that is missing from all
 * of a day's objects reads as NULL instead of failing the query (DuckDB would otherwise infer the schema from the
 * data).
 */
import type { RawEntity } from "../lake.ts";
import { RAW_DECLARATIONS } from "../sources/index.ts";
import type { ColumnType } from "./raw-types.ts";

export { type ColumnType, renderType } from "./raw-types.ts";

/** The columns read per raw entity, as its source declares them (see the RAW_ENTITIES comment in lake.ts). */
export const RAW_COLUMNS: Record<RawEntity, Record<string, ColumnType>> = Object.fromEntries(
  RAW_DECLARATIONS.map((r) => [r.entity, r.columns]),
) as Record<RawEntity, Record<string, ColumnType>>;

/** Per raw entity, the projection applied while loading it (default: every column as read). */
export const RAW_LOAD: Partial<Record<RawEntity, string>> = Object.fromEntries(
  RAW_DECLARATIONS.flatMap((r) => (r.load ? [[r.entity, r.load]] : [])),
);
