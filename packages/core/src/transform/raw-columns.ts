/**
 * The columns the transform reads per raw entity. Every field is typed explicitly, so a field that is missing from all
 * of a day's objects reads as NULL instead of failing the query (DuckDB would otherwise infer the schema from the
 * data).
 */
import type { RawEntity } from "../lake.ts";
import {
  ALBUM,
  ARTIST,
  type ColumnType,
  ENTRY,
  mergeTypes,
  PLAYLIST,
  PROVENANCE,
  SIMPLE_ALBUM,
  SIMPLE_TRACK,
  TRACK,
} from "./raw-types.ts";
import {
  ALBUM_FIELDS,
  cleanAlbumField,
  FULL_TRACK_FIELDS,
  STRING_FIELDS,
  structAlbum,
  structTrack,
  TRACK_FIELDS,
} from "./sql-parts.ts";

export { type ColumnType, renderType } from "./raw-types.ts";

const V = "VARCHAR";
const B = "BIGINT";

/** The columns read per raw entity (see the RAW_ENTITIES comment in lake.ts for what a line holds). */
export const RAW_COLUMNS: Record<RawEntity, Record<string, ColumnType>> = {
  artists: { ...ARTIST, ...PROVENANCE },
  artist_albums: { ...SIMPLE_ALBUM, ...PROVENANCE, _artist_id: V },
  albums: { ...ALBUM, type: V, tracks: { total: B, offset: B, items: [SIMPLE_TRACK] }, ...PROVENANCE },
  album_tracks: { ...TRACK, ...PROVENANCE, _album_id: V, _position: B },
  tracks: { ...TRACK, ...PROVENANCE },
  playlists: { ...PLAYLIST, ...PROVENANCE },
  playlist_items: { ...ENTRY, ...PROVENANCE, _playlist_id: V, _position: B },
  search_results: {
    ...mergeTypes(TRACK, SIMPLE_ALBUM, ARTIST, PLAYLIST),
    ...PROVENANCE,
    _query: V,
    _search_type: V,
    _rank: B,
  },
  recently_played: { track: TRACK, played_at: V, context: { uri: V, type: V }, ...PROVENANCE },
  top_items: { ...mergeTypes(TRACK, ARTIST), ...PROVENANCE, _time_range: V, _item_type: V, _rank: B },
};

/**
 * The flat projection that loads raw playlist entries: the largest raw entity, so only the fields the tables use
 * are kept (one `item_*` set whether the entry came as `item` (2026) or `track` (pre-2026)), not nested copies.
 */
export const PLAYLIST_ITEMS_LOAD = [
  // Timestamps stored as such (8 bytes, parsed once); one that does not parse is NULL (the raw zone keeps it).
  "_playlist_id, _position, ts_utc(added_at) AS added_ts",
  "nz(added_by.id) AS added_by_id, is_local AS entry_is_local, ts_utc(_fetched_at) AS _fetched_at",
  // Strings are cleaned here, once, not by each of the queries that read them (stg_tracks twice, playlist_items).
  ...[...TRACK_FIELDS, ...FULL_TRACK_FIELDS, "artists"]
    .filter((f) => f !== "uri")
    .map((f) => {
      const value = `coalesce(${structTrack("item")(f)}, ${structTrack("track")(f)})`;
      return `${STRING_FIELDS.has(f) ? `nz(${value})` : value} AS item_${f}`;
    }),
  // The uri follows from type and id except for local files: keep it only then.
  `nz(CASE WHEN coalesce(item.uri, track.uri) IS DISTINCT FROM
    spotify_uri(coalesce(item.type, track.type), coalesce(item.id, track.id)) THEN coalesce(item.uri, track.uri) END)
    AS item_uri`,
  ...[...ALBUM_FIELDS, "artists"].map((f) => {
    const value = `coalesce(${structAlbum("item.album")(f)}, ${structAlbum("track.album")(f)})`;
    // The name stays as read: whether it is present tells an album object from none (see trackCols).
    return `${f === "name" || !STRING_FIELDS.has(f) ? value : cleanAlbumField(f, value)} AS item_album_${f}`;
  }),
].join(",\n  ");

/** Per raw entity, the projection applied while loading it (default: every column as read). */
export const RAW_LOAD: Partial<Record<RawEntity, string>> = { playlist_items: PLAYLIST_ITEMS_LOAD };
