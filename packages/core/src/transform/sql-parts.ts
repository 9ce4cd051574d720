/**
 * The SQL building blocks of the table and staging models (tables/*.ts). The models build each curated table from the raw tables (`raw_<entity>`, loaded by the session with the types
 * in raw-columns.ts; playlist entries, the largest, through the flat RAW_LOAD projection). Objects are collected from
 * every raw shape that carries them (staging models `stg_*`), then deduplicated per key (`best_*`, stored). Entity
 * tables (artists, albums, tracks, playlists) take each column from the best copy that has it (full objects first,
 * then the most recent fetch), so a simplified copy fills what a full copy lacks; record tables (playlist_items,
 * search results, plays, top items) keep the best whole row. Bridge tables come from the best copy's artist list.
 */
import type { RejectRule } from "../tables/define-table.ts";
import { renderType, SIMPLE_ARTIST } from "./raw-types.ts";

export const missingId: RejectRule = { when: (r) => `nz(${r}.id) IS NULL`, reason: "missing id" };
/** An object whose `type` names another entity (a missing or null `type` is not checked). */
export const otherType = (type: string): RejectRule => ({
  when: (r) => `nz(${r}.type) IS DISTINCT FROM '${type}' AND nz(${r}.type) IS NOT NULL`,
  reason: `type is not ${type}`,
});

export type Full = 0 | 1;

/** Reads a field of an object, whatever its storage: a struct (`o.album.id`) or flat load columns. */
export type Get = (field: string) => string;

/** Fields of a track object the tables use (`isrc` stands for `external_ids.isrc`). */
export const TRACK_FIELDS = [
  "id",
  "name",
  "type",
  "uri",
  "duration_ms",
  "explicit",
  "disc_number",
  "track_number",
  "is_local",
];
export const FULL_TRACK_FIELDS = ["popularity", "isrc"];
/** Fields of a simplified album the tables use (`image_url` stands for the first of `images`). */
export const ALBUM_FIELDS = [
  "id",
  "name",
  "album_type",
  "total_tracks",
  "release_date",
  "release_date_precision",
  "image_url",
];

export const structTrack =
  (o: string): Get =>
  (f) =>
    f === "isrc" ? `${o}.external_ids.isrc` : `${o}.${f}`;
export const structAlbum =
  (o: string): Get =>
  (f) =>
    f === "image_url" ? `first_image(${o}.images)` : f === "upc" ? `${o}.external_ids.upc` : `${o}.${f}`;
/** Flat columns named `<prefix><field>`. */
export const flat =
  (prefix: string): Get =>
  (f) =>
    `${prefix}${f}`;

/** Types of the non-VARCHAR fields, for the typed NULLs a source without the field contributes. */
const TYPES: Record<string, string> = {
  duration_ms: "BIGINT",
  explicit: "BOOLEAN",
  disc_number: "BIGINT",
  track_number: "BIGINT",
  is_local: "BOOLEAN",
  popularity: "BIGINT",
  total_tracks: "BIGINT",
  artists: renderType([SIMPLE_ARTIST]),
};
export const nullOf = (f: string): string => `NULL::${TYPES[f] ?? "VARCHAR"}`;

/** String fields of tracks and albums: blank strings become NULL (`nz`). `image_url` is cleaned by first_image. */
export const STRING_FIELDS = new Set([
  "id",
  "name",
  "type",
  "uri",
  "isrc",
  "album_type",
  "release_date",
  "release_date_precision",
]);

/** A cleaned album field: blank to NULL, and a release date that does not parse to NULL (the album is kept). */
export const cleanAlbumField = (f: string, value: string): string =>
  f === "release_date"
    ? `CASE WHEN bad_rel_date(${value}) THEN NULL ELSE nz(${value}) END`
    : STRING_FIELDS.has(f)
      ? `nz(${value})`
      : value;

/**
 * Track columns of stg_tracks; `album` null for simplified tracks (their album id comes from `albumId`). Strings are
 * cleaned here (album fields included, so stg_albums reads them as they are) unless the source is already clean.
 */
export function trackCols(
  t: Get,
  album: Get | null,
  albumId: string,
  full: Full,
  prio: number,
  fetched: string,
  clean = false,
): string {
  const z = (value: string) => (clean ? value : `nz(${value})`);
  const albumCol = (f: string) =>
    `${album ? (clean ? album(f) : cleanAlbumField(f, album(f))) : nullOf(f)} AS album_${f}`;
  return [
    `${z(t("id"))} AS track_id, ${z(t("name"))} AS name, ${albumId} AS album_id`,
    `${t("duration_ms")} AS duration_ms, ${t("explicit")} AS explicit, ${t("disc_number")} AS disc_number`,
    `${t("track_number")} AS track_number, coalesce(${t("is_local")}, false) AS is_local, ${z(t("uri"))} AS uri`,
    `${full ? z(t("isrc")) : "NULL::VARCHAR"} AS isrc, ${full ? t("popularity") : "NULL::BIGINT"} AS popularity`,
    `${t("artists")} AS artists`,
    // Whether the track carried an album object with an id: only those are album copies (any other album field may
    // be missing, see docs/tables.md).
    `${album ? `${z(album("id"))} IS NOT NULL` : "false"} AS has_album, nz(${album ? album("name") : "NULL::VARCHAR"}) AS album_name`,
    ...ALBUM_FIELDS.filter((f) => f !== "id" && f !== "name").map(albumCol),
    albumCol("artists"),
    `${fetched} AS _fetched_at, fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`,
  ].join(",\n    ");
}

/** A playable track (not an episode, not a local file) with an id. */
export const isTrack = (t: Get, clean = false): string =>
  `${clean ? t("id") : `nz(${t("id")})`} IS NOT NULL AND coalesce(${t("type")}, 'track') = 'track' AND NOT coalesce(${t("is_local")}, false)`;

/** The entries page of a raw playlist: `items` (2026) or `tracks` (pre-2026). */
export const ENTRIES_PAGE = (p: string): string =>
  `CASE WHEN ${p}.items.items IS NOT NULL THEN ${p}.items ELSE ${p}.tracks END`;

export const full = (o: string) => [structTrack(o), structAlbum(`${o}.album`), `nz(${o}.album.id)`] as const;

/** `arg_max` of each column over the rank, skipping NULLs: the best copy's value, filled from the next best. */
export const best = (cols: readonly string[]): string =>
  cols.map((c) => `arg_max(${c}, _rank) FILTER (WHERE ${c} IS NOT NULL) AS ${c}`).join(",\n  ");

/** Album columns; only a full AlbumObject (`full` 1) has label, popularity, upc and genres. `clean`: as stg_tracks. */
export function albumCols(a: Get, full: Full, prio: number, fetched: string, clean = false): string {
  const only = (f: string, type: string) => (full ? a(f) : `NULL::${type}`);
  const z = (value: string) => (clean ? value : `nz(${value})`);
  return `${z(a("id"))} AS album_id, ${z(a("name"))} AS name, ${z(a("album_type"))} AS album_type,
    ${clean ? a("release_date") : cleanAlbumField("release_date", a("release_date"))} AS release_date,
    ${z(a("release_date_precision"))} AS release_date_precision, ${a("total_tracks")} AS total_tracks,
    ${z(only("label", "VARCHAR"))} AS label, ${only("popularity", "BIGINT")} AS popularity,
    ${z(only("upc", "VARCHAR"))} AS upc, ${z(a("image_url"))} AS image_url,
    ${only("genres", "VARCHAR[]")} AS genres, ${a("artists")} AS artists, ${fetched} AS _fetched_at,
    fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`;
}

export function artistCols(o: string, full: Full, prio: number, fetched: string): string {
  return `nz(${o}.id) AS artist_id, nz(${o}.name) AS name, ${o}.genres AS genres, ${o}.popularity AS popularity,
    ${o}.followers.total AS followers, first_image(${o}.images) AS image_url, ${fetched} AS _fetched_at,
    fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`;
}

export function simpleArtistCols(o: string, prio: number, fetched: string): string {
  return `nz(${o}.id) AS artist_id, nz(${o}.name) AS name, NULL::VARCHAR[] AS genres, NULL::BIGINT AS popularity,
    NULL::BIGINT AS followers, NULL::VARCHAR AS image_url, ${fetched} AS _fetched_at,
    fetch_rank(0, ${fetched}, ${prio}) AS _rank`;
}

export function playlistCols(o: string, full: Full, prio: number): string {
  const fetched = `ts_utc(${o}._fetched_at)`;
  return `nz(${o}.id) AS playlist_id, nz(${o}.name) AS name, nz(${o}.owner.id) AS owner_id,
    nz(${o}.snapshot_id) AS snapshot_id, ${o}.public AS public, ${o}.collaborative AS collaborative,
    coalesce(${o}.items.total, ${o}.tracks.total) AS total_items, nz(${o}.owner.display_name) AS owner_name,
    nz(${o}.description) AS description, ${o}.followers.total AS followers, first_image(${o}.images) AS image_url,
    ${fetched} AS _fetched_at, fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`;
}

/**
 * One bridge row per (parent, artist), grouped by the table's key: positions from the parent's best artist list,
 * 0-based; `_fetched_at` is the parent's (the object the credit list was read from).
 */
export function bridge(parent: string, owner: string, key: string): string {
  return `SELECT ${owner}::VARCHAR AS ${owner}, artist_id::VARCHAR AS artist_id, min(pos)::INTEGER AS artist_position,
  max(_fetched_at)::TIMESTAMP AS _fetched_at
FROM (SELECT ${owner}, nz(a.id) AS artist_id, pos, _fetched_at FROM (
  SELECT ${owner}, unnest(artists) AS a, generate_subscripts(artists, 1) - 1 AS pos, _fetched_at FROM ${parent}))
WHERE artist_id IS NOT NULL GROUP BY ${key}`;
}

/** The best row per key for record tables. */
export const bestRow = (inner: string, key: string): string =>
  `SELECT * EXCLUDE (_rank) FROM (${inner}) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _rank DESC) = 1`;
