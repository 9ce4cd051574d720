/**
 * The SQL that builds each curated table from the raw tables (`raw_<entity>`, loaded by the session with the types
 * in raw-columns.ts; playlist entries, the largest, through the flat RAW_LOAD projection). Objects are collected from
 * every raw shape that carries them (staging views `stg_*`), then deduplicated per key (`best_*`, stored). Entity
 * tables (artists, albums, tracks, playlists) take each column from the best copy that has it (full objects first,
 * then the most recent fetch), so a simplified copy fills what a full copy lacks; record tables (playlist_items,
 * search results, plays, top items) keep the best whole row. Bridge tables come from the best copy's artist list.
 */
import type { CuratedTable, RawEntity } from "../lake.ts";
import { renderType, SIMPLE_ARTIST } from "./raw-columns.ts";

/** A rule a table's primary raw rows must meet; violations go to the rejects area with `reason`. */
interface RejectRule {
  when: (r: string) => string;
  reason: string;
}

/** The raw table whose rows a table's rejects come from, and its rules. */
interface RejectSpec {
  from: string;
  rules: RejectRule[];
}

const missingId: RejectRule = { when: (r) => `nz(${r}.id) IS NULL`, reason: "missing id" };
/** An object whose `type` names another entity (a missing or null `type` is not checked). */
const otherType = (type: string): RejectRule => ({
  when: (r) => `nz(${r}.type) IS DISTINCT FROM '${type}' AND nz(${r}.type) IS NOT NULL`,
  reason: `type is not ${type}`,
});

/**
 * Validation by identity (docs/tables.md): a raw object is rejected only when it cannot be identified or placed (no
 * id or key field, a `type` of another entity). Any other field missing, null or of another type is NULL in its
 * column, and the object is kept.
 */
const REJECTS: Partial<Record<CuratedTable, RejectSpec>> = {
  artists: { from: "raw_artists", rules: [missingId, otherType("artist")] },
  albums: { from: "raw_albums", rules: [missingId, otherType("album")] },
  tracks: { from: "raw_tracks", rules: [missingId, otherType("track")] },
  playlists: { from: "raw_playlists", rules: [missingId, otherType("playlist")] },
  playlist_items: {
    from: "raw_playlist_items",
    rules: [
      {
        when: (r) => `nz(${r}._playlist_id) IS NULL OR ${r}._position IS NULL`,
        reason: "missing _playlist_id or _position",
      },
    ],
  },
  search_results: {
    from: "raw_search_results",
    rules: [
      {
        when: (r) => `nz(${r}._query) IS NULL OR nz(${r}._search_type) IS NULL OR ${r}._rank IS NULL`,
        reason: "missing _query, _search_type or _rank",
      },
      {
        when: (r) => `nz(${r}.type) IS NOT NULL AND nz(${r}.type) IS DISTINCT FROM nz(${r}._search_type)`,
        reason: "type is not the searched type",
      },
    ],
  },
  plays: {
    from: "raw_recently_played",
    rules: [
      {
        when: (r) => `nz(${r}.played_at) IS NULL OR bad_ts(${r}.played_at)`,
        reason: "missing or unparseable played_at",
      },
      { when: (r) => `nz(${r}.track.id) IS NULL`, reason: "missing track id" },
    ],
  },
  top_items: {
    from: "raw_top_items",
    rules: [
      {
        when: (r) => `nz(${r}._time_range) IS NULL OR nz(${r}._item_type) IS NULL OR ${r}._rank IS NULL`,
        reason: "missing _time_range, _item_type or _rank",
      },
      missingId,
      {
        when: (r) => `nz(${r}.type) IS NOT NULL AND nz(${r}.type) <> rtrim(nz(${r}._item_type), 's')`,
        reason: "type is not the listed item type",
      },
    ],
  },
};

/** True when the row (alias `r`) of a table's primary raw entity breaks one of the table's rules. */
function rejected(table: CuratedTable, r: string): string {
  const spec = REJECTS[table];
  if (!spec) return "false";
  return `coalesce(${spec.rules.map((rule) => `(${rule.when(r)})`).join(" OR ")}, false)`;
}

/** The query that lists a table's rejects: the raw row as read plus `_reason`, or undefined when it has no rules. */
export function rejectsSql(table: CuratedTable): string | undefined {
  const spec = REJECTS[table];
  if (!spec) return undefined;
  const reason = `CASE ${spec.rules.map((rule) => `WHEN coalesce(${rule.when("r")}, false) THEN '${rule.reason}'`).join(" ")} END`;
  return `SELECT r.*, ${reason} AS _reason FROM ${spec.from} r WHERE ${rejected(table, "r")}`;
}

type Full = 0 | 1;

/** Reads a field of an object, whatever its storage: a struct (`o.album.id`) or flat load columns. */
type Get = (field: string) => string;

/** Fields of a track object the tables use (`isrc` stands for `external_ids.isrc`). */
const TRACK_FIELDS = [
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
const FULL_TRACK_FIELDS = ["popularity", "isrc"];
/** Fields of a simplified album the tables use (`image_url` stands for the first of `images`). */
const ALBUM_FIELDS = [
  "id",
  "name",
  "album_type",
  "total_tracks",
  "release_date",
  "release_date_precision",
  "image_url",
];

const structTrack =
  (o: string): Get =>
  (f) =>
    f === "isrc" ? `${o}.external_ids.isrc` : `${o}.${f}`;
const structAlbum =
  (o: string): Get =>
  (f) =>
    f === "image_url" ? `first_image(${o}.images)` : f === "upc" ? `${o}.external_ids.upc` : `${o}.${f}`;
/** Flat columns named `<prefix><field>`. */
const flat =
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
const nullOf = (f: string): string => `NULL::${TYPES[f] ?? "VARCHAR"}`;

/** String fields of tracks and albums: blank strings become NULL (`nz`). `image_url` is cleaned by first_image. */
const STRING_FIELDS = new Set([
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
const cleanAlbumField = (f: string, value: string): string =>
  f === "release_date"
    ? `CASE WHEN bad_rel_date(${value}) THEN NULL ELSE nz(${value}) END`
    : STRING_FIELDS.has(f)
      ? `nz(${value})`
      : value;

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

/**
 * Track columns of stg_tracks; `album` null for simplified tracks (their album id comes from `albumId`). Strings are
 * cleaned here (album fields included, so stg_albums reads them as they are) unless the source is already clean.
 */
function trackCols(
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
const isTrack = (t: Get, clean = false): string =>
  `${clean ? t("id") : `nz(${t("id")})`} IS NOT NULL AND coalesce(${t("type")}, 'track') = 'track' AND NOT coalesce(${t("is_local")}, false)`;

/** The entries page of a raw playlist: `items` (2026) or `tracks` (pre-2026). */
const ENTRIES_PAGE = (p: string): string =>
  `CASE WHEN ${p}.items.items IS NOT NULL THEN ${p}.items ELSE ${p}.tracks END`;

const full = (o: string) => [structTrack(o), structAlbum(`${o}.album`), `nz(${o}.album.id)`] as const;

/** Every track object of the day, from every raw shape, one row per copy. */
const STG_TRACKS = `
SELECT ${trackCols(...full("o"), 1, 9, "ts_utc(o._fetched_at)")}
  FROM raw_tracks o WHERE ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(flat("r.item_"), flat("r.item_album_"), "r.item_album_id", 1, 5, "r._fetched_at", true)}
  FROM raw_playlist_items r WHERE ${isTrack(flat("r.item_"), true)}
UNION ALL SELECT ${trackCols(...full("s.o"), 1, 4, "s.f")}
  FROM (SELECT coalesce(e.item, e.track) AS o, f FROM (
    SELECT unnest(page.items) AS e, f FROM (
      SELECT ${ENTRIES_PAGE("p")} AS page, ts_utc(p._fetched_at) AS f FROM raw_playlists p))) s
  WHERE ${isTrack(structTrack("s.o"))}
UNION ALL SELECT ${trackCols(...full("o"), 1, 6, "ts_utc(o._fetched_at)")}
  FROM raw_search_results o WHERE o._search_type = 'track' AND ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(...full("s.o"), 1, 7, "s.f")}
  FROM (SELECT track AS o, ts_utc(_fetched_at) AS f FROM raw_recently_played) s WHERE ${isTrack(structTrack("s.o"))}
UNION ALL SELECT ${trackCols(...full("o"), 1, 8, "ts_utc(o._fetched_at)")}
  FROM raw_top_items o WHERE o._item_type IN ('tracks', 'track') AND ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(structTrack("o"), null, "nz(o._album_id)", 0, 3, "ts_utc(o._fetched_at)")}
  FROM raw_album_tracks o WHERE ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(structTrack("s.o"), null, "s.album_id", 0, 2, "s.f")}
  FROM (SELECT unnest(a.tracks.items) AS o, nz(a.id) AS album_id, ts_utc(a._fetched_at) AS f
    FROM raw_albums a WHERE NOT ${rejected("albums", "a")}) s
  WHERE ${isTrack(structTrack("s.o"))}`;

/** `arg_max` of each column over the rank, skipping NULLs: the best copy's value, filled from the next best. */
const best = (cols: string[]): string =>
  cols.map((c) => `arg_max(${c}, _rank) FILTER (WHERE ${c} IS NOT NULL) AS ${c}`).join(",\n  ");

const BEST_TRACKS = `
SELECT track_id,
  ${best(["name", "album_id", "duration_ms", "explicit", "disc_number", "track_number", "isrc", "popularity", "is_local", "uri"])},
  arg_max(artists, _rank) FILTER (WHERE len(artists) > 0) AS artists,
  arg_max(_fetched_at, _rank) AS _fetched_at
FROM stg_tracks GROUP BY track_id`;

/** Album columns; only a full AlbumObject (`full` 1) has label, popularity, upc and genres. `clean`: as stg_tracks. */
function albumCols(a: Get, full: Full, prio: number, fetched: string, clean = false): string {
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

/** Every album object of the day: full albums, artist albums, search albums, and the album inside each track. */
const STG_ALBUMS = `
SELECT ${albumCols(structAlbum("o"), 1, 9, "ts_utc(o._fetched_at)")}
  FROM raw_albums o WHERE NOT ${rejected("albums", "o")}
UNION ALL SELECT ${albumCols(structAlbum("o"), 0, 5, "ts_utc(o._fetched_at)")}
  FROM raw_artist_albums o WHERE nz(o.id) IS NOT NULL
UNION ALL SELECT ${albumCols(structAlbum("o"), 0, 6, "ts_utc(o._fetched_at)")}
  FROM raw_search_results o WHERE o._search_type = 'album' AND nz(o.id) IS NOT NULL
UNION ALL SELECT ${albumCols((f) => (f === "id" ? "s.album_id" : `s.album_${f}`), 0, 3, "s._fetched_at", true)}
  FROM stg_tracks s WHERE s.album_id IS NOT NULL AND s.has_album`;

const BEST_ALBUMS = `
SELECT album_id,
  ${best(["name", "album_type", "release_date", "release_date_precision", "total_tracks", "label", "popularity", "upc", "image_url", "genres"])},
  arg_max(artists, _rank) FILTER (WHERE len(artists) > 0) AS artists,
  arg_max(_fetched_at, _rank) AS _fetched_at
FROM stg_albums GROUP BY album_id`;

function artistCols(o: string, full: Full, prio: number, fetched: string): string {
  return `nz(${o}.id) AS artist_id, nz(${o}.name) AS name, ${o}.genres AS genres, ${o}.popularity AS popularity,
    ${o}.followers.total AS followers, first_image(${o}.images) AS image_url, ${fetched} AS _fetched_at,
    fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`;
}

function simpleArtistCols(o: string, prio: number, fetched: string): string {
  return `nz(${o}.id) AS artist_id, nz(${o}.name) AS name, NULL::VARCHAR[] AS genres, NULL::BIGINT AS popularity,
    NULL::BIGINT AS followers, NULL::VARCHAR AS image_url, ${fetched} AS _fetched_at,
    fetch_rank(0, ${fetched}, ${prio}) AS _rank`;
}

function playlistCols(o: string, full: Full, prio: number): string {
  const fetched = `ts_utc(${o}._fetched_at)`;
  return `nz(${o}.id) AS playlist_id, nz(${o}.name) AS name, nz(${o}.owner.id) AS owner_id,
    nz(${o}.snapshot_id) AS snapshot_id, ${o}.public AS public, ${o}.collaborative AS collaborative,
    coalesce(${o}.items.total, ${o}.tracks.total) AS total_items, nz(${o}.owner.display_name) AS owner_name,
    nz(${o}.description) AS description, ${o}.followers.total AS followers, first_image(${o}.images) AS image_url,
    ${fetched} AS _fetched_at, fetch_rank(${full}, ${fetched}, ${prio}) AS _rank`;
}

/** One bridge row per (parent, artist): positions from the parent's best artist list, 0-based. */
function bridge(parent: string, key: string): string {
  return `SELECT ${key}::VARCHAR AS ${key}, artist_id::VARCHAR AS artist_id, min(pos)::INTEGER AS artist_position
FROM (SELECT ${key}, nz(a.id) AS artist_id, pos FROM (
  SELECT ${key}, unnest(artists) AS a, generate_subscripts(artists, 1) - 1 AS pos FROM ${parent}))
WHERE artist_id IS NOT NULL GROUP BY ${key}, artist_id`;
}

/** The best row per key for record tables. */
const bestRow = (inner: string, key: string): string =>
  `SELECT * EXCLUDE (_rank) FROM (${inner}) QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY _rank DESC) = 1`;

/** Staging tables built on demand (each name may be referenced by table SQL; dependencies are found by name). */
export const STAGING_SQL: Record<string, string> = {
  stg_tracks: STG_TRACKS,
  best_tracks: BEST_TRACKS,
  stg_albums: STG_ALBUMS,
  best_albums: BEST_ALBUMS,
};

/** The SELECT that produces each curated table (columns and types as in docs/tables.md, cast by curated-tables.ts). */
export const TABLE_SQL: Record<CuratedTable, string> = {
  artists: `
SELECT artist_id::VARCHAR AS artist_id, name::VARCHAR AS name, genres::VARCHAR[] AS genres,
  popularity::INTEGER AS popularity, followers::BIGINT AS followers, image_url::VARCHAR AS image_url,
  spotify_url('artist', artist_id) AS spotify_url, spotify_uri('artist', artist_id) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM (SELECT artist_id,
  ${best(["name", "genres", "popularity", "followers", "image_url"])},
  arg_max(_fetched_at, _rank) AS _fetched_at
  FROM (
    SELECT ${artistCols("o", 1, 9, "ts_utc(o._fetched_at)")} FROM raw_artists o WHERE NOT ${rejected("artists", "o")}
    UNION ALL SELECT ${artistCols("o", 1, 6, "ts_utc(o._fetched_at)")}
      FROM raw_search_results o WHERE o._search_type = 'artist' AND nz(o.id) IS NOT NULL
    UNION ALL SELECT ${artistCols("o", 1, 8, "ts_utc(o._fetched_at)")}
      FROM raw_top_items o WHERE o._item_type IN ('artists', 'artist') AND nz(o.id) IS NOT NULL
    UNION ALL SELECT ${simpleArtistCols("s.a", 2, "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM best_tracks) s WHERE nz(s.a.id) IS NOT NULL
    UNION ALL SELECT ${simpleArtistCols("s.a", 3, "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM best_albums) s WHERE nz(s.a.id) IS NOT NULL
  ) GROUP BY artist_id)`,

  albums: `
SELECT album_id::VARCHAR AS album_id, name::VARCHAR AS name, album_type::VARCHAR AS album_type,
  rel_date(release_date) AS release_date, rel_prec(release_date, release_date_precision)::VARCHAR AS release_date_precision,
  total_tracks::INTEGER AS total_tracks, label::VARCHAR AS label, popularity::INTEGER AS popularity, upc::VARCHAR AS upc,
  image_url::VARCHAR AS image_url, year(rel_date(release_date))::INTEGER AS release_year, genres::VARCHAR[] AS genres,
  spotify_url('album', album_id) AS spotify_url, spotify_uri('album', album_id) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM best_albums`,

  album_artists: bridge("best_albums", "album_id"),

  tracks: `
SELECT track_id::VARCHAR AS track_id, name::VARCHAR AS name, album_id::VARCHAR AS album_id,
  duration_ms::INTEGER AS duration_ms, explicit::BOOLEAN AS explicit, disc_number::INTEGER AS disc_number,
  track_number::INTEGER AS track_number, isrc::VARCHAR AS isrc, popularity::INTEGER AS popularity,
  is_local::BOOLEAN AS is_local, spotify_url('track', track_id) AS spotify_url,
  coalesce(uri, spotify_uri('track', track_id)) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM best_tracks`,

  track_artists: bridge("best_tracks", "track_id"),

  playlists: `
SELECT playlist_id::VARCHAR AS playlist_id, name::VARCHAR AS name, owner_id::VARCHAR AS owner_id,
  snapshot_id::VARCHAR AS snapshot_id, public::BOOLEAN AS public, collaborative::BOOLEAN AS collaborative,
  total_items::INTEGER AS total_items, owner_name::VARCHAR AS owner_name, description::VARCHAR AS description,
  followers::BIGINT AS followers, image_url::VARCHAR AS image_url, spotify_url('playlist', playlist_id) AS spotify_url,
  spotify_uri('playlist', playlist_id) AS uri, _fetched_at::TIMESTAMP AS _fetched_at
FROM (SELECT playlist_id,
  ${best(["name", "owner_id", "snapshot_id", "public", "collaborative", "total_items", "owner_name", "description", "followers", "image_url"])},
  arg_max(_fetched_at, _rank) AS _fetched_at
  FROM (
    SELECT ${playlistCols("o", 1, 9)} FROM raw_playlists o WHERE NOT ${rejected("playlists", "o")}
    UNION ALL SELECT ${playlistCols("o", 0, 6)}
      FROM raw_search_results o WHERE o._search_type = 'playlist' AND nz(o.id) IS NOT NULL
  ) GROUP BY playlist_id)`,

  playlist_items: bestRow(
    `SELECT nz(r._playlist_id)::VARCHAR AS playlist_id, r._position::INTEGER AS position,
    CASE WHEN coalesce(r.entry_is_local, r.item_is_local, false) THEN NULL ELSE r.item_id END::VARCHAR AS item_id,
    r.item_type::VARCHAR AS item_type, r.added_ts AS added_at, r.added_by_id::VARCHAR AS added_by,
    coalesce(r.item_uri, spotify_uri(r.item_type, r.item_id))::VARCHAR AS item_uri,
    r.item_name::VARCHAR AS item_name, coalesce(r.entry_is_local, r.item_is_local)::BOOLEAN AS is_local,
    r._fetched_at AS _fetched_at, fetch_rank(1, r._fetched_at, 9) AS _rank
  FROM raw_playlist_items r WHERE NOT ${rejected("playlist_items", "r")}
  UNION ALL SELECT playlist_id, (pos + coalesce(page_offset, 0))::INTEGER,
    CASE WHEN coalesce(e.is_local, o.is_local, false) THEN NULL ELSE nz(o.id) END, nz(o.type), ts_utc(e.added_at),
    nz(e.added_by.id), nz(o.uri), nz(o.name), coalesce(e.is_local, o.is_local), f, fetch_rank(1, f, 4)
  FROM (SELECT *, coalesce(e.item, e.track) AS o FROM (
    SELECT playlist_id, page_offset, f, unnest(page.items) AS e, generate_subscripts(page.items, 1) - 1 AS pos
    FROM (SELECT nz(p.id) AS playlist_id, ${ENTRIES_PAGE("p")} AS page, ${ENTRIES_PAGE("p")}.offset AS page_offset,
        ts_utc(p._fetched_at) AS f
      FROM raw_playlists p WHERE NOT ${rejected("playlists", "p")})))`,
    "playlist_id, position",
  ),

  search_results: bestRow(
    `SELECT nz(_query)::VARCHAR AS query, nz(_search_type)::VARCHAR AS search_type, _rank::INTEGER AS rank,
    nz(id)::VARCHAR AS item_id, nz(name)::VARCHAR AS item_name, nz(uri)::VARCHAR AS item_uri,
    ts_utc(_fetched_at) AS _fetched_at, fetch_rank(1, ts_utc(_fetched_at), 9) AS _rank
  FROM raw_search_results o WHERE NOT ${rejected("search_results", "o")}`,
    "query, search_type, rank",
  ),

  plays: bestRow(
    `SELECT ts_utc(played_at) AS played_at, nz(track.id)::VARCHAR AS track_id, nz(context.uri)::VARCHAR AS context_uri,
    nz(context.type)::VARCHAR AS context_type, ts_utc(_fetched_at) AS _fetched_at,
    fetch_rank(1, ts_utc(_fetched_at), 9) AS _rank
  FROM raw_recently_played o WHERE NOT ${rejected("plays", "o")}
    -- A fact: a play already stored in another run date's partition stays there (other_plays, see run-transform.ts).
    AND NOT EXISTS (SELECT 1 FROM other_plays p WHERE p.played_at = ts_utc(o.played_at))`,
    "played_at, track_id",
  ),

  top_items: bestRow(
    `SELECT nz(_time_range)::VARCHAR AS time_range, nz(_item_type)::VARCHAR AS item_type, _rank::INTEGER AS rank,
    nz(id)::VARCHAR AS item_id, nz(name)::VARCHAR AS item_name, nz(uri)::VARCHAR AS item_uri,
    ts_utc(_fetched_at) AS _fetched_at, fetch_rank(1, ts_utc(_fetched_at), 9) AS _rank
  FROM raw_top_items o WHERE NOT ${rejected("top_items", "o")}`,
    "time_range, item_type, rank",
  ),
};

/** Names of raw/staging tables an SQL text references, so the session can build them first. */
export function referencedTables(sql: string): string[] {
  return [...new Set(sql.match(/\b(?:raw|stg|best)_[a-z_]+\b/g) ?? [])];
}
