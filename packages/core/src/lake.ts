/**
 * The lake layout (README "The lake", a contract): raw and curated keys, identical on S3 and on disk,
 * and the raw entities and curated tables the pipeline knows.
 */
import { InputError, ManifestCorruptError } from "./errors.ts";

/**
 * Raw entities: one folder each in the raw zone. Every line is one API object exactly as Spotify returned it,
 * plus provenance fields prefixed `_` (always `_fetched_at` ISO timestamp and `_source`, e.g. `artist:<id>`):
 * - `artists`: ArtistObject (GET /artists/{id} or batch)
 * - `artist_albums`: SimplifiedAlbumObject from /artists/{id}/albums; `_artist_id`
 * - `albums`: AlbumObject (GET /albums/{id} or batch); its embedded `tracks` page is kept as returned
 * - `album_tracks`: SimplifiedTrackObject from /albums/{id}/tracks; `_album_id`, `_position`
 * - `tracks`: TrackObject (GET /tracks/{id} or batch)
 * - `playlists`: PlaylistObject metadata (GET /playlists/{id}); its embedded entries page is kept as returned
 * - `playlist_items`: PlaylistTrackObject entries (`track` pre-2026, `item` 2026); `_playlist_id`, `_position`
 * - `search_results`: one item of a search page (album, artist, track or playlist); `_query`, `_search_type`, `_rank`
 * - `recently_played`: PlayHistoryObject from /me/player/recently-played
 * - `top_items`: ArtistObject or TrackObject from /me/top/{type}; `_time_range`, `_item_type`, `_rank`
 */
export const RAW_ENTITIES = [
  "artists",
  "artist_albums",
  "albums",
  "album_tracks",
  "tracks",
  "playlists",
  "playlist_items",
  "search_results",
  "recently_played",
  "top_items",
] as const;
export type RawEntity = (typeof RAW_ENTITIES)[number];

/** Curated tables (docs/tables.md, a contract). */
export const CURATED_TABLES = [
  "artists",
  "albums",
  "album_artists",
  "tracks",
  "track_artists",
  "playlists",
  "playlist_items",
  "search_results",
  "plays",
  "top_items",
] as const;
export type CuratedTable = (typeof CURATED_TABLES)[number];

/**
 * Transform entities: the unit of one Transform Lambda invocation (one Map iteration), and the tables it writes.
 * Each reads whichever raw entities carry its objects.
 */
export const TRANSFORM_ENTITIES = {
  artists: ["artists"],
  albums: ["albums", "album_artists"],
  tracks: ["tracks", "track_artists"],
  playlists: ["playlists", "playlist_items"],
  search_results: ["search_results"],
  user: ["plays", "top_items"],
} as const satisfies Record<string, readonly CuratedTable[]>;
export type TransformEntity = keyof typeof TRANSFORM_ENTITIES;
export const TRANSFORM_ENTITY_NAMES = Object.keys(TRANSFORM_ENTITIES) as TransformEntity[];

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks a run date is a real calendar date in `YYYY-MM-DD` form, and not after tomorrow (UTC; tomorrow is allowed
 * because it is already today east of UTC): a run of `9999-12-31` would only make names and partitions of days that
 * have no data.
 */
export function assertRunDate(date: string, now: Date = new Date()): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!DATE_RE.test(date) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new InputError(
      `Invalid run date "${String(date).slice(0, 40)}": use a real calendar date as YYYY-MM-DD, e.g. 2026-11-21.`,
    );
  }
  const tomorrow = todayUtc(new Date(now.getTime() + 86_400_000));
  if (date > tomorrow) {
    throw new InputError(
      `Invalid run date "${date}": it is after tomorrow (${tomorrow}, UTC), and Spotify has no data of the future yet. Run today's date or an earlier one.`,
    );
  }
  return date;
}

/** Today's date in UTC as `YYYY-MM-DD`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export const rawPrefix = (entity: RawEntity, date: string): string => `${entity}/dt=${date}/`;
export const rawKey = (entity: RawEntity, date: string, part: number): string =>
  `${rawPrefix(entity, date)}part-${String(part).padStart(5, "0")}.ndjson.gz`;
/**
 * A raw part named by the extract attempt that wrote it (`part-<attempt>-<seq>-v<version>`): names a previous manifest
 * cannot list, so a rerun never overwrites the parts of the published day before it publishes.
 */
export const rawPartKey = (entity: RawEntity, date: string, name: string): string =>
  `${rawPrefix(entity, date)}part-${name}.ndjson.gz`;
export const manifestKey = (date: string): string => `_manifests/dt=${date}/manifest.json`;
/** The extract's checkpoint for a date: finished work units and the parts they wrote (see README, "Checkpoints"). */
export const checkpointKey = (date: string): string => `_checkpoints/dt=${date}/extract.json`;
/** Where an unfinished extract keeps its rejects until it publishes them under `rejectsKey`. */
export const checkpointRejectsPrefix = (date: string): string => `_checkpoints/dt=${date}/rejects/`;
export const rejectsPrefix = (date: string): string => `_rejects/dt=${date}/`;
export const rejectsKey = (date: string, entity: string): string => `${rejectsPrefix(date)}${entity}.ndjson.gz`;
export const curatedPrefix = (table: string, date: string): string => `${table}/dt=${date}/`;
export const curatedKey = (table: string, date: string): string => `${curatedPrefix(table, date)}part-00000.parquet`;
/**
 * Stats table written next to the curated tables, one part per transform entity with what it reported (read by the
 * quality checks).
 */
export const TABLE_STATS = "table_stats";
export const tableStatsKey = (date: string, entity: string): string =>
  `${curatedPrefix(TABLE_STATS, date)}part-${entity}.parquet`;
/**
 * Column coverage written next to table_stats, one part per transform entity: per table and column, how many rows
 * have a value (see docs/tables.md).
 */
export const COLUMN_STATS = "column_stats";
export const columnStatsKey = (date: string, entity: string): string =>
  `${curatedPrefix(COLUMN_STATS, date)}part-${entity}.parquet`;
/** The transform's report per entity and date (rows and rejects per table), read by later stages and reruns. */
export const transformReportKey = (date: string, entity: string): string =>
  `_reports/dt=${date}/transform-${entity}.json`;

/** Parses a date's manifest as stored at `key` of `location`; text that is not JSON is a ManifestCorruptError naming it. */
export function parseManifest<T>(body: Buffer, fields: { location: string; key: string; date: string }): T {
  try {
    return JSON.parse(body.toString("utf8")) as T;
  } catch (error) {
    throw new ManifestCorruptError(
      { file: `${fields.location}/${fields.key}`, date: fields.date, problem: (error as Error).message },
      { cause: error },
    );
  }
}
