import * as v from "valibot";
import { SpotifyIdSchema } from "../config/entries.ts";
import { unique } from "../extract/context.ts";
import {
  artistAlbumReads,
  artistAlbumsEstimate,
  extractArtistAlbums,
  extractArtists,
} from "../extract/fetch-catalog.ts";
import { dueOrCarry } from "../extract/incremental.ts";
import { ArtistSchema } from "../spotify/schemas.ts";
import { artists as artistsTable } from "../tables/artists.ts";
import { rejectedBy } from "../tables/define-table.ts";
import { ARTIST, PROVENANCE, SIMPLE_ALBUM } from "../transform/raw-types.ts";
import { albumCols, artistCols, structAlbum } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** Configured artists: their profiles, and their albums (which the albums source then fetches in full). */
export const artists = defineSource({
  name: "artists",
  section: "catalog",
  config: { artists: v.optional(v.array(SpotifyIdSchema), []) },
  endpoint: { path: "/artists/{id}", paginator: "none" },
  item: ArtistSchema,
  raw: [
    {
      entity: "artists",
      description: "ArtistObject (GET /artists/{id} or batch)",
      columns: { ...ARTIST, ...PROVENANCE },
    },
    {
      entity: "artist_albums",
      description:
        "SimplifiedAlbumObject from /artists/{id}/albums; `_artist_id`, `_include_group` (the group asked for)",
      columns: { ...SIMPLE_ALBUM, ...PROVENANCE, _artist_id: "VARCHAR" },
    },
  ],
  feeds: [
    {
      model: "stg_artists",
      priority: "full",
      select: ({ ref, priority }) =>
        `SELECT ${artistCols("o", 1, priority, "ts_utc(o._fetched_at)")} FROM ${ref("raw_artists")} o WHERE NOT ${rejectedBy(artistsTable.rejects, "o")}`,
    },
    {
      model: "stg_albums",
      priority: "listing",
      select: ({ ref, priority }) => `SELECT ${albumCols(structAlbum("o"), 0, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_artist_albums")} o WHERE nz(o.id) IS NOT NULL`,
    },
  ],
  plan: (entries, planner) => {
    const ids = unique(entries.artists);
    // Artists' albums first: they name more albums to fetch.
    for (const id of ids) {
      const reads = artistAlbumReads(planner, id);
      planner.discover(
        `artist_albums:${id}`,
        () => extractArtistAlbums(planner.ctx, id, reads, planner.known.base),
        `artist:${id}`,
        artistAlbumsEstimate(planner, reads),
      );
    }
    planner.byIds("artist", dueOrCarry(planner, "artists", ids), (group) => extractArtists(planner.ctx, group));
  },
});
