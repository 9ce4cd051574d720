/**
 * The artists the user follows (`GET /me/following?type=artist`, cursor pages under `artists`, scope
 * `user-follow-read`). Each is a full ArtistObject: it feeds artists. Spotify gives no date of following, so
 * `followed_artists` is the list as seen on the run date (a follow shows as the first date it appears).
 */
import * as v from "valibot";
import { ArtistSchema } from "../spotify/schemas.ts";
import { fetchedAt } from "../tables/columns.ts";
import { defineTable, rejectedBy } from "../tables/define-table.ts";
import { priority as p } from "../tables/priority.ts";
import { ARTIST, PROVENANCE } from "../transform/raw-types.ts";
import { artistCols, bestRow, missingId, otherType } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

const rejects = { from: "raw_followed_artists", rules: [missingId, otherType("artist")] };

export const followedArtistsTable = defineTable({
  name: "followed_artists",
  kind: "snapshot",
  grain: "one artist the user follows",
  key: ["artist_id"],
  transform: "user",
  description: "The artists the user follows as listed on the run date (Spotify does not say since when).",
  columns: [{ name: "artist_id", type: "string", description: "Spotify id of the artist", access: "user" }, fetchedAt],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(id)::VARCHAR AS artist_id, ts_utc(_fetched_at) AS _fetched_at,
    fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_followed_artists")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
      key,
    ),
});

export const followedArtists = defineSource({
  name: "followedArtists",
  section: "user",
  config: { followedArtists: v.optional(v.boolean(), false) },
  example: { followedArtists: true },
  scope: "user-follow-read",
  endpoint: {
    path: "/me/following",
    query: { type: "artist" },
    paginator: "cursor",
    selector: "artists",
    maxLimit: 50,
  },
  item: ArtistSchema,
  raw: [
    {
      entity: "followed_artists",
      description: "ArtistObject from /me/following?type=artist",
      columns: { ...ARTIST, ...PROVENANCE },
    },
  ],
  feeds: [
    {
      model: "stg_artists",
      priority: "library",
      select: ({ ref, priority }) =>
        `SELECT ${artistCols("o", 1, priority, "ts_utc(o._fetched_at)")} FROM ${ref("raw_followed_artists")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
    },
  ],
  tables: [followedArtistsTable],
  plan: (entries, planner) => {
    if (!entries.followedArtists) return;
    // Cursor paging: each page's `next` carries the `after` cursor (the last artist id).
    planner.list("user:followed_artists", {
      url: "/me/following?type=artist&limit=50",
      entity: "followed_artists",
      item: ArtistSchema,
      source: "user:followed_artists",
      selector: "artists",
    });
  },
});
