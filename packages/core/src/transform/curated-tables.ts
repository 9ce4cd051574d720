/**
 * The curated tables' columns and types: the one definition that the transform's final casts, the Glue tables of
 * the stack and docs/tables.md are all made from. Column order is the order in the Parquet files. `dt` is not a
 * column of the files: it is the partition key (a string `YYYY-MM-DD`) of every table.
 */
import { COLUMN_STATS, CURATED_TABLES, type CuratedTable, TABLE_STATS } from "../lake.ts";

/** The logical types a curated column can have; each maps to one DuckDB type and one Glue (Hive) type. */
export const COLUMN_TYPES = {
  string: { duckdb: "VARCHAR", glue: "string" },
  int: { duckdb: "INTEGER", glue: "int" },
  bigint: { duckdb: "BIGINT", glue: "bigint" },
  boolean: { duckdb: "BOOLEAN", glue: "boolean" },
  date: { duckdb: "DATE", glue: "date" },
  timestamp: { duckdb: "TIMESTAMP", glue: "timestamp" },
  "array<string>": { duckdb: "VARCHAR[]", glue: "array<string>" },
} as const;
export type ColumnType = keyof typeof COLUMN_TYPES;

/**
 * Who gets a value in a column: `all` (every app), `extended` (apps with extended quota: Spotify removed the field
 * from development-mode responses in 2024/2026), `user` (only sources read with a user's refresh token).
 */
export type ColumnAccess = "all" | "extended" | "user";

export interface CuratedColumn {
  name: string;
  type: ColumnType;
  description: string;
  /** Default `all`. */
  access?: ColumnAccess;
}

/**
 * How a table keeps history across run dates:
 * - `snapshot`: the state of each object as seen on the run date (dimension tables), one row per key per `dt`;
 * - `observation`: what a listing showed on the run date (playlist entries, search and top-item ranks);
 * - `fact`: an event stored once, in the partition of the first run that saw it (append-only);
 * - `stats`: the pipeline's own bookkeeping.
 */
export type TableKind = "snapshot" | "observation" | "fact" | "stats";

/** A table of the catalog: a curated table or one of the pipeline's stats tables. */
export type CatalogTableName = CuratedTable | typeof TABLE_STATS | typeof COLUMN_STATS;

export interface CuratedTableDefinition {
  name: CatalogTableName;
  kind: TableKind;
  /** One row per ... (within one `dt` partition). */
  grain: string;
  /** The columns that identify a row within one `dt` partition. */
  key: readonly string[];
  description: string;
  columns: readonly CuratedColumn[];
}

const fetchedAt: CuratedColumn = {
  name: "_fetched_at",
  type: "timestamp",
  description: "when the object this row was built from was fetched (UTC)",
};
const spotifyUrl = (what: string): CuratedColumn => ({
  name: "spotify_url",
  type: "string",
  description: `open.spotify.com link of the ${what}`,
});
const uri = (what: string): CuratedColumn => ({
  name: "uri",
  type: "string",
  description: `Spotify URI of the ${what}`,
});
const bridge = (name: "album_artists" | "track_artists", owner: "album" | "track"): CuratedTableDefinition => ({
  name,
  kind: "snapshot",
  grain: `one credited artist of one ${owner}`,
  key: [`${owner}_id`, "artist_position"],
  description: `The artists credited on each ${owner}, in credit order.`,
  columns: [
    { name: `${owner}_id`, type: "string", description: `Spotify id of the ${owner}` },
    { name: "artist_id", type: "string", description: "Spotify id of the artist" },
    { name: "artist_position", type: "int", description: "0-based position in the credit list" },
  ],
});

/** Every curated table, `table_stats` and `column_stats` included, in lake order. */
export const CURATED_TABLE_DEFINITIONS: Record<CatalogTableName, CuratedTableDefinition> = {
  artists: {
    name: "artists",
    kind: "snapshot",
    grain: "one artist",
    key: ["artist_id"],
    description: "Every artist seen on the run date: configured artists, and artists credited on tracks and albums.",
    columns: [
      { name: "artist_id", type: "string", description: "Spotify id" },
      { name: "name", type: "string", description: "artist name" },
      { name: "genres", type: "array<string>", description: "genres (deprecated by Spotify)", access: "extended" },
      { name: "popularity", type: "int", description: "0-100 popularity", access: "extended" },
      { name: "followers", type: "bigint", description: "follower count", access: "extended" },
      { name: "image_url", type: "string", description: "URL of the largest image" },
      spotifyUrl("artist"),
      uri("artist"),
      fetchedAt,
    ],
  },
  albums: {
    name: "albums",
    kind: "snapshot",
    grain: "one album",
    key: ["album_id"],
    description: "Every album seen on the run date, from full album objects and the simplified copies in tracks.",
    columns: [
      { name: "album_id", type: "string", description: "Spotify id" },
      { name: "name", type: "string", description: "album name" },
      { name: "album_type", type: "string", description: "album, single or compilation" },
      { name: "release_date", type: "date", description: "first day of the release period" },
      { name: "release_date_precision", type: "string", description: "year, month or day" },
      { name: "total_tracks", type: "int", description: "number of tracks" },
      { name: "label", type: "string", description: "record label", access: "extended" },
      { name: "popularity", type: "int", description: "0-100 popularity", access: "extended" },
      { name: "upc", type: "string", description: "UPC barcode (external_ids.upc)" },
      { name: "image_url", type: "string", description: "URL of the largest cover image" },
      { name: "release_year", type: "int", description: "year of release_date" },
      { name: "genres", type: "array<string>", description: "genres (deprecated by Spotify)", access: "extended" },
      spotifyUrl("album"),
      uri("album"),
      fetchedAt,
    ],
  },
  album_artists: bridge("album_artists", "album"),
  tracks: {
    name: "tracks",
    kind: "snapshot",
    grain: "one track",
    key: ["track_id"],
    description: "Every track seen on the run date: configured tracks, album tracks, playlist entries, plays.",
    columns: [
      { name: "track_id", type: "string", description: "Spotify id" },
      { name: "name", type: "string", description: "track name" },
      { name: "album_id", type: "string", description: "Spotify id of its album" },
      { name: "duration_ms", type: "int", description: "length in milliseconds" },
      { name: "explicit", type: "boolean", description: "explicit lyrics" },
      { name: "disc_number", type: "int", description: "disc number on its album" },
      { name: "track_number", type: "int", description: "position on its disc" },
      { name: "isrc", type: "string", description: "ISRC (external_ids.isrc)" },
      { name: "popularity", type: "int", description: "0-100 popularity", access: "extended" },
      { name: "is_local", type: "boolean", description: "a local file of a playlist" },
      spotifyUrl("track"),
      uri("track"),
      fetchedAt,
    ],
  },
  track_artists: bridge("track_artists", "track"),
  playlists: {
    name: "playlists",
    kind: "snapshot",
    grain: "one playlist",
    key: ["playlist_id"],
    description: "Configured playlists' metadata and playlists found by searches.",
    columns: [
      { name: "playlist_id", type: "string", description: "Spotify id" },
      { name: "name", type: "string", description: "playlist name" },
      { name: "owner_id", type: "string", description: "Spotify user id of the owner" },
      { name: "snapshot_id", type: "string", description: "version of the playlist" },
      { name: "public", type: "boolean", description: "shown on the owner's profile" },
      { name: "collaborative", type: "boolean", description: "others may edit it" },
      { name: "total_items", type: "int", description: "number of entries" },
      { name: "owner_name", type: "string", description: "owner's display name" },
      { name: "description", type: "string", description: "playlist description" },
      { name: "followers", type: "bigint", description: "follower count", access: "extended" },
      { name: "image_url", type: "string", description: "URL of the largest image" },
      spotifyUrl("playlist"),
      uri("playlist"),
      fetchedAt,
    ],
  },
  playlist_items: {
    name: "playlist_items",
    kind: "observation",
    grain: "one entry of one playlist on the run date",
    key: ["playlist_id", "position"],
    description:
      "Playlist entries as listed on the run date. Entries are readable for playlists the user owns or collaborates on (development) or any public playlist (extended).",
    columns: [
      { name: "playlist_id", type: "string", description: "Spotify id of the playlist" },
      { name: "position", type: "int", description: "0-based position in the playlist" },
      { name: "item_id", type: "string", description: "track or episode id (NULL for local files)" },
      { name: "item_type", type: "string", description: "track or episode" },
      { name: "added_at", type: "timestamp", description: "when the entry was added (UTC)" },
      { name: "added_by", type: "string", description: "Spotify user id of who added it" },
      { name: "item_uri", type: "string", description: "Spotify URI of the item" },
      { name: "item_name", type: "string", description: "name of the item" },
      { name: "is_local", type: "boolean", description: "a local file" },
      fetchedAt,
    ],
  },
  search_results: {
    name: "search_results",
    kind: "observation",
    grain: "one ranked result of one configured search on the run date",
    key: ["query", "search_type", "rank"],
    description: "What each configured search returned on the run date, in rank order.",
    columns: [
      { name: "query", type: "string", description: "the configured query, e.g. tag:new" },
      { name: "search_type", type: "string", description: "album, artist, track or playlist" },
      { name: "rank", type: "int", description: "1-based rank in the results" },
      { name: "item_id", type: "string", description: "Spotify id of the result" },
      { name: "item_name", type: "string", description: "name of the result" },
      { name: "item_uri", type: "string", description: "Spotify URI of the result" },
      fetchedAt,
    ],
  },
  plays: {
    name: "plays",
    kind: "fact",
    grain: "one play of a track by the user",
    key: ["played_at"],
    description:
      "The user's recently played tracks, each play stored once, in the partition of the run that first saw it.",
    columns: [
      { name: "played_at", type: "timestamp", description: "when the play started (UTC)", access: "user" },
      { name: "track_id", type: "string", description: "Spotify id of the track", access: "user" },
      {
        name: "context_uri",
        type: "string",
        description: "album, playlist or artist it was played from",
        access: "user",
      },
      { name: "context_type", type: "string", description: "type of that context", access: "user" },
      fetchedAt,
    ],
  },
  top_items: {
    name: "top_items",
    kind: "observation",
    grain: "one ranked item of one top list on the run date",
    key: ["time_range", "item_type", "rank"],
    description: "The user's top tracks and artists per time range, as ranked on the run date.",
    columns: [
      { name: "time_range", type: "string", description: "short_term, medium_term or long_term", access: "user" },
      { name: "item_type", type: "string", description: "track or artist", access: "user" },
      { name: "rank", type: "int", description: "1-based rank", access: "user" },
      { name: "item_id", type: "string", description: "Spotify id of the item", access: "user" },
      { name: "item_name", type: "string", description: "name of the item", access: "user" },
      { name: "item_uri", type: "string", description: "Spotify URI of the item", access: "user" },
      fetchedAt,
    ],
  },
  [TABLE_STATS]: {
    name: TABLE_STATS,
    kind: "stats",
    grain: "one curated table written by one transform entity",
    key: ["table_name", "entity"],
    description:
      "Rows and rejects per table, as the transform reported them; the data-quality checks compare against it.",
    columns: [
      { name: "table_name", type: "string", description: "curated table" },
      { name: "row_count", type: "bigint", description: "rows written for the run date" },
      { name: "reject_count", type: "bigint", description: "raw items quarantined in the rejects area" },
      { name: "entity", type: "string", description: "transform entity that wrote the table" },
    ],
  },
  [COLUMN_STATS]: {
    name: COLUMN_STATS,
    kind: "stats",
    grain: "one column of one curated table written by one transform entity",
    key: ["table_name", "column_name"],
    description:
      "Column coverage: how many rows of each table have a value in each column (a column Spotify stopped returning, or withholds from the app's access profile, shows here as mostly empty).",
    columns: [
      { name: "table_name", type: "string", description: "curated table" },
      { name: "column_name", type: "string", description: "column of that table" },
      { name: "non_null_count", type: "bigint", description: "rows with a value (not NULL) for the run date" },
      { name: "row_count", type: "bigint", description: "rows of the table for the run date" },
      { name: "entity", type: "string", description: "transform entity that wrote the table" },
    ],
  },
};

/** Every table the catalog holds: the curated tables, `table_stats` and `column_stats`. */
export const CATALOG_TABLES = [...CURATED_TABLES, TABLE_STATS, COLUMN_STATS] as const;

/** The partition key of every curated table. */
export const PARTITION_KEY = { name: "dt", type: "string", description: "run date, YYYY-MM-DD" } as const;

/** A table's definition. */
export function curatedTable(name: CatalogTableName): CuratedTableDefinition {
  return CURATED_TABLE_DEFINITIONS[name];
}

/** The DuckDB type of a column. */
export function duckdbType(type: ColumnType): string {
  return COLUMN_TYPES[type].duckdb;
}

/** The Glue (Hive DDL) type of a column, as Athena reads it. */
export function glueType(type: ColumnType): string {
  return COLUMN_TYPES[type].glue;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Wraps a table's SELECT so the written file has exactly the defined columns, in order, with the defined types:
 * the transform's casts come from the definition, never from hand-written SQL alone.
 */
export function projectDefinedColumns(table: CatalogTableName, select: string): string {
  const columns = curatedTable(table).columns.map(
    (c) => `CAST(${quoteIdent(c.name)} AS ${duckdbType(c.type)}) AS ${quoteIdent(c.name)}`,
  );
  return `SELECT ${columns.join(", ")} FROM (${select}) AS defined`;
}
