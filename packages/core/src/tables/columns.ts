/** Columns several curated tables share. */
import type { CuratedColumn } from "./define-table.ts";

export const fetchedAt: CuratedColumn = {
  name: "_fetched_at",
  type: "timestamp",
  description: "when the object this row was built from was fetched (UTC)",
};

/**
 * The UTC date of `_fetched_at`: a row of a snapshot table whose `_fetched_dt` is before its `dt` was carried forward
 * from the last known object, not fetched that day (docs/tables.md, "Incremental runs").
 */
export const fetchedDt: CuratedColumn = {
  name: "_fetched_dt",
  type: "date",
  description: "the UTC date of `_fetched_at`: before `dt` when the row was carried forward, not fetched that day",
  derived: (column) => `CAST(CAST(${column("_fetched_at")} AS TIMESTAMP) AS DATE)`,
};

/** When a snapshot table's object was fetched: the timestamp and its date. */
export const fetchedColumns: readonly CuratedColumn[] = [fetchedAt, fetchedDt];

export const spotifyUrl = (what: string): CuratedColumn => ({
  name: "spotify_url",
  type: "string",
  description: `open.spotify.com link of the ${what}`,
});

export const uri = (what: string): CuratedColumn => ({
  name: "uri",
  type: "string",
  description: `Spotify URI of the ${what}`,
});

/** The columns of a bridge table from an owner (album or track) to its credited artists. */
export const bridgeColumns = (owner: "album" | "track"): CuratedColumn[] => [
  { name: `${owner}_id`, type: "string", description: `Spotify id of the ${owner}` },
  { name: "artist_id", type: "string", description: "Spotify id of the artist" },
  { name: "artist_position", type: "int", description: "0-based position in the credit list" },
  ...fetchedColumns,
];
