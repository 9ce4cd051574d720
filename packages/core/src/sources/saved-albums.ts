/**
 * The albums saved in the user's library (`GET /me/albums`, offset pages of SavedAlbumObject, scope
 * `user-library-read`). Each is a full AlbumObject with its first page of tracks: it feeds albums, tracks (the
 * embedded page; further track pages are not asked for) and, through the credits, artists. `saved_albums` is the
 * library as seen on the run date, with when each album was saved.
 */
import * as v from "valibot";
import { AlbumSchema } from "../spotify/schemas.ts";
import { fetchedAt } from "../tables/columns.ts";
import { defineTable, rejectedBy } from "../tables/define-table.ts";
import { priority as p } from "../tables/priority.ts";
import { ALBUM, PROVENANCE, SIMPLE_TRACK } from "../transform/raw-types.ts";
import { albumCols, bestRow, isTrack, structAlbum, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** SavedAlbumObject: identified by its album (`added_at` that is missing or unreadable is NULL, not a reject). */
const SavedAlbumSchema = v.looseObject({ album: AlbumSchema });

const rejects = {
  from: "raw_saved_albums",
  rules: [{ when: (r: string) => `nz(${r}.album.id) IS NULL`, reason: "missing album id" }],
};

export const savedAlbumsTable = defineTable({
  name: "saved_albums",
  kind: "snapshot",
  grain: "one album saved in the user's library",
  key: ["album_id"],
  transform: "user",
  description:
    "The albums saved in the user's library (Your Music) as listed on the run date, with when each was saved.",
  columns: [
    { name: "album_id", type: "string", description: "Spotify id of the album", access: "user" },
    { name: "added_at", type: "timestamp", description: "when the user saved it (UTC)", access: "user" },
    fetchedAt,
  ],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(album.id)::VARCHAR AS album_id, ts_utc(added_at) AS added_at, ts_utc(_fetched_at) AS _fetched_at,
    fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_saved_albums")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
      key,
    ),
});

export const savedAlbums = defineSource({
  name: "savedAlbums",
  section: "user",
  config: { savedAlbums: v.optional(v.boolean(), false) },
  example: { savedAlbums: true },
  scope: "user-library-read",
  endpoint: { path: "/me/albums", paginator: "next", maxLimit: 50 },
  item: SavedAlbumSchema,
  raw: [
    {
      entity: "saved_albums",
      description: "SavedAlbumObject from /me/albums (`added_at`, `album` with its first page of tracks)",
      columns: {
        added_at: "VARCHAR",
        album: { ...ALBUM, type: "VARCHAR", tracks: { total: "BIGINT", offset: "BIGINT", items: [SIMPLE_TRACK] } },
        ...PROVENANCE,
      },
    },
  ],
  feeds: [
    {
      model: "stg_albums",
      priority: "library",
      select: ({ ref, priority }) => `SELECT ${albumCols(structAlbum("o.album"), 1, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_saved_albums")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
    },
    {
      model: "stg_tracks",
      priority: "library",
      select: ({ ref, priority }) => `SELECT ${trackCols(structTrack("s.o"), null, "s.album_id", 0, priority, "s.f")}
  FROM (SELECT unnest(a.album.tracks.items) AS o, nz(a.album.id) AS album_id, ts_utc(a._fetched_at) AS f
    FROM ${ref("raw_saved_albums")} a WHERE NOT ${rejectedBy(rejects, "a")}) s
  WHERE ${isTrack(structTrack("s.o"))}`,
    },
  ],
  tables: [savedAlbumsTable],
  plan: (entries, planner) => {
    if (!entries.savedAlbums) return;
    planner.list("user:saved_albums", {
      url: `/me/albums?limit=50&offset=0&market=${planner.ctx.options.market}`,
      entity: "saved_albums",
      item: SavedAlbumSchema,
      source: "user:saved_albums",
    });
  },
});
