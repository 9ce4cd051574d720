/**
 * The staging models the curated tables read: every copy of an object from every raw shape that carries it
 * (`stg_*`, views), and the best copy per id (`best_*`, stored). Each branch names its copy's priority
 * (priority.ts), never a bare digit.
 */
import {
  albumCols,
  artistCols,
  best,
  ENTRIES_PAGE,
  flat,
  full,
  isTrack,
  simpleArtistCols,
  structAlbum,
  structTrack,
  trackCols,
} from "../transform/sql-parts.ts";
import { albums } from "./albums.ts";
import { artists } from "./artists.ts";
import { defineModel, rejectedBy, type StagingModel } from "./define-table.ts";
import { priority as p } from "./priority.ts";

/** Every track object of the day, from every raw shape, one row per copy. */
const stgTracks = defineModel({
  name: "stg_tracks",
  materialized: "view",
  model: ({ ref }) => `
SELECT ${trackCols(...full("o"), 1, p("full"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_tracks")} o WHERE ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(flat("r.item_"), flat("r.item_album_"), "r.item_album_id", 1, p("listing"), "r._fetched_at", true)}
  FROM ${ref("raw_playlist_items")} r WHERE ${isTrack(flat("r.item_"), true)}
UNION ALL SELECT ${trackCols(...full("s.o"), 1, p("embedded"), "s.f")}
  FROM (SELECT coalesce(e.item, e.track) AS o, f FROM (
    SELECT unnest(page.items) AS e, f FROM (
      SELECT ${ENTRIES_PAGE("p")} AS page, ts_utc(p._fetched_at) AS f FROM ${ref("raw_playlists")} p))) s
  WHERE ${isTrack(structTrack("s.o"))}
UNION ALL SELECT ${trackCols(...full("o"), 1, p("search"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_search_results")} o WHERE o._search_type = 'track' AND ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(...full("s.o"), 1, p("recent"), "s.f")}
  FROM (SELECT track AS o, ts_utc(_fetched_at) AS f FROM ${ref("raw_recently_played")}) s WHERE ${isTrack(structTrack("s.o"))}
UNION ALL SELECT ${trackCols(...full("o"), 1, p("top"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_top_items")} o WHERE o._item_type IN ('tracks', 'track') AND ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(structTrack("o"), null, "nz(o._album_id)", 0, p("child"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_album_tracks")} o WHERE ${isTrack(structTrack("o"))}
UNION ALL SELECT ${trackCols(structTrack("s.o"), null, "s.album_id", 0, p("nested"), "s.f")}
  FROM (SELECT unnest(a.tracks.items) AS o, nz(a.id) AS album_id, ts_utc(a._fetched_at) AS f
    FROM ${ref("raw_albums")} a WHERE NOT ${rejectedBy(albums.rejects, "a")}) s
  WHERE ${isTrack(structTrack("s.o"))}`,
});

const bestTracks = defineModel({
  name: "best_tracks",
  materialized: "table",
  model: ({ ref }) => `
SELECT track_id,
  ${best(["name", "album_id", "duration_ms", "explicit", "disc_number", "track_number", "isrc", "popularity", "is_local", "uri"])},
  arg_max(artists, _rank) FILTER (WHERE len(artists) > 0) AS artists,
  arg_max(_fetched_at, _rank) AS _fetched_at
FROM ${ref("stg_tracks")} GROUP BY track_id`,
});

/** Every album object of the day: full albums, artist albums, search albums, and the album inside each track. */
const stgAlbums = defineModel({
  name: "stg_albums",
  materialized: "view",
  model: ({ ref }) => `
SELECT ${albumCols(structAlbum("o"), 1, p("full"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_albums")} o WHERE NOT ${rejectedBy(albums.rejects, "o")}
UNION ALL SELECT ${albumCols(structAlbum("o"), 0, p("listing"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_artist_albums")} o WHERE nz(o.id) IS NOT NULL
UNION ALL SELECT ${albumCols(structAlbum("o"), 0, p("search"), "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_search_results")} o WHERE o._search_type = 'album' AND nz(o.id) IS NOT NULL
UNION ALL SELECT ${albumCols((f) => (f === "id" ? "s.album_id" : `s.album_${f}`), 0, p("child"), "s._fetched_at", true)}
  FROM ${ref("stg_tracks")} s WHERE s.album_id IS NOT NULL AND s.has_album`,
});

const bestAlbums = defineModel({
  name: "best_albums",
  materialized: "table",
  model: ({ ref }) => `
SELECT album_id,
  ${best(["name", "album_type", "release_date", "release_date_precision", "total_tracks", "label", "popularity", "upc", "image_url", "genres"])},
  arg_max(artists, _rank) FILTER (WHERE len(artists) > 0) AS artists,
  arg_max(_fetched_at, _rank) AS _fetched_at
FROM ${ref("stg_albums")} GROUP BY album_id`,
});

/** Every artist object of the day: full artists, search and top-list artists, and the artists credited on tracks and albums. */
const stgArtists = defineModel({
  name: "stg_artists",
  materialized: "view",
  model: ({ ref }) => `
    SELECT ${artistCols("o", 1, p("full"), "ts_utc(o._fetched_at)")} FROM ${ref("raw_artists")} o WHERE NOT ${rejectedBy(artists.rejects, "o")}
    UNION ALL SELECT ${artistCols("o", 1, p("search"), "ts_utc(o._fetched_at)")}
      FROM ${ref("raw_search_results")} o WHERE o._search_type = 'artist' AND nz(o.id) IS NOT NULL
    UNION ALL SELECT ${artistCols("o", 1, p("top"), "ts_utc(o._fetched_at)")}
      FROM ${ref("raw_top_items")} o WHERE o._item_type IN ('artists', 'artist') AND nz(o.id) IS NOT NULL
    UNION ALL SELECT ${simpleArtistCols("s.a", p("nested"), "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM ${ref("best_tracks")}) s WHERE nz(s.a.id) IS NOT NULL
    UNION ALL SELECT ${simpleArtistCols("s.a", p("child"), "s._fetched_at")}
      FROM (SELECT unnest(artists) AS a, _fetched_at FROM ${ref("best_albums")}) s WHERE nz(s.a.id) IS NOT NULL`,
});

/** Every staging model by name. */
export const STAGING_MODELS: Readonly<Record<string, StagingModel>> = Object.fromEntries(
  [stgTracks, bestTracks, stgAlbums, bestAlbums, stgArtists].map((m) => [m.name, m]),
);
