/**
 * Which columns of a run came out mostly empty, and why when it is known: read from column_stats (see
 * docs/tables.md) and the access profile the extract ran with.
 */
import type { CuratedTable } from "../lake.ts";
import { CURATED_TABLE_DEFINITIONS } from "./curated-tables.ts";

/** A column is mostly empty below this share of filled rows. */
export const MOSTLY_EMPTY = 0.5;

export interface ColumnCoverageRow {
  table: string;
  column: string;
  filled: number;
  rows: number;
}

export interface SparseColumn extends ColumnCoverageRow {
  /** Why the column is empty, as far as tunelake knows. */
  reason: string;
}

export interface CoverageContext {
  /** The access profile the extract ran with (`development` or `extended`), when known. */
  accessProfile?: string;
  /** Whether user-scoped sources were read with a refresh token. */
  userToken?: boolean;
}

export const REASONS = {
  extended: "withheld by Spotify for development-mode apps (extended quota fills it)",
  user: "needs a user's refresh token (SPOTIFY_REFRESH_TOKEN from `tunelake auth`)",
  shape:
    "absent from the objects these rows were built from (simplified copies, e.g. artists credited on tracks, lack it; or an older or newer object shape)",
} as const;

/**
 * The columns of tables with rows whose filled share is below MOSTLY_EMPTY, emptiest first, each with its reason.
 * Rows for the same table and column (several entities) are added up.
 */
export function sparseColumns(rows: readonly ColumnCoverageRow[], context: CoverageContext = {}): SparseColumn[] {
  const summed = new Map<string, ColumnCoverageRow>();
  for (const row of rows) {
    const key = `${row.table}.${row.column}`;
    const prev = summed.get(key);
    summed.set(key, prev ? { ...prev, filled: prev.filled + row.filled, rows: prev.rows + row.rows } : { ...row });
  }
  const reasonOf = (row: ColumnCoverageRow): string => {
    const definition = CURATED_TABLE_DEFINITIONS[row.table as CuratedTable];
    const access = definition?.columns.find((c) => c.name === row.column)?.access ?? "all";
    if (access === "extended" && context.accessProfile === "development") return REASONS.extended;
    if (access === "user" && context.userToken === false) return REASONS.user;
    return REASONS.shape;
  };
  return [...summed.values()]
    .filter((row) => row.rows > 0 && row.filled / row.rows < MOSTLY_EMPTY)
    .sort((a, b) => a.filled / a.rows - b.filled / b.rows || a.table.localeCompare(b.table))
    .map((row) => ({ ...row, reason: reasonOf(row) }));
}
