import * as v from "valibot";
import { SpotifyIdSchema } from "../config/entries.ts";
import { unique } from "../extract/context.ts";
import { AlbumSchema } from "../spotify/schemas.ts";
import { albums as albumsTable } from "../tables/albums.ts";
import { rejectedBy } from "../tables/define-table.ts";
import { ALBUM, PROVENANCE, SIMPLE_TRACK, TRACK } from "../transform/raw-types.ts";
import { albumCols, isTrack, structAlbum, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** Full albums (configured, and those the artists source discovers) and every page of their tracks. */
export const albums = defineSource({
  name: "albums",
  section: "catalog",
  config: { albums: v.optional(v.array(SpotifyIdSchema), []) },
  endpoint: { path: "/albums/{id}", paginator: "none" },
  item: AlbumSchema,
  raw: [
    {
      entity: "albums",
      description: "AlbumObject (GET /albums/{id} or batch); its embedded `tracks` page is kept as returned",
      columns: {
        ...ALBUM,
        type: "VARCHAR",
        tracks: { total: "BIGINT", offset: "BIGINT", items: [SIMPLE_TRACK] },
        ...PROVENANCE,
      },
    },
    {
      entity: "album_tracks",
      description: "SimplifiedTrackObject from /albums/{id}/tracks; `_album_id`, `_position`",
      columns: { ...TRACK, ...PROVENANCE, _album_id: "VARCHAR", _position: "BIGINT" },
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "child",
      select: ({ ref, priority }) =>
        `SELECT ${trackCols(structTrack("o"), null, "nz(o._album_id)", 0, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_album_tracks")} o WHERE ${isTrack(structTrack("o"))}`,
    },
    {
      model: "stg_tracks",
      priority: "nested",
      select: ({ ref, priority }) => `SELECT ${trackCols(structTrack("s.o"), null, "s.album_id", 0, priority, "s.f")}
  FROM (SELECT unnest(a.tracks.items) AS o, nz(a.id) AS album_id, ts_utc(a._fetched_at) AS f
    FROM ${ref("raw_albums")} a WHERE NOT ${rejectedBy(albumsTable.rejects, "a")}) s
  WHERE ${isTrack(structTrack("s.o"))}`,
    },
    {
      model: "stg_albums",
      priority: "full",
      select: ({ ref, priority }) => `SELECT ${albumCols(structAlbum("o"), 1, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_albums")} o WHERE NOT ${rejectedBy(albumsTable.rejects, "o")}`,
    },
  ],
  plan: (entries, planner) => planner.albums(unique(entries.albums), (id) => `album:${id}`),
});
