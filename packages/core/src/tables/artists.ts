import { best, missingId, otherType } from "../transform/sql-parts.ts";
import { fetchedColumns, spotifyUrl, uri } from "./columns.ts";
import { defineTable } from "./define-table.ts";

export const artists = defineTable({
  name: "artists",
  kind: "snapshot",
  grain: "one artist",
  key: ["artist_id"],
  transform: "artists",
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
    ...fetchedColumns,
  ],
  rejects: { from: "raw_artists", rules: [missingId, otherType("artist")] },
  model: ({ ref, key }) => `
SELECT artist_id::VARCHAR AS artist_id, name::VARCHAR AS name, genres::VARCHAR[] AS genres,
  popularity::INTEGER AS popularity, followers::BIGINT AS followers, image_url::VARCHAR AS image_url,
  spotify_url('artist', artist_id) AS spotify_url, spotify_uri('artist', artist_id) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM (SELECT ${key},
  ${best(["name", "genres", "popularity", "followers", "image_url"])},
  arg_max(_fetched_at, _rank) AS _fetched_at
  FROM ${ref("stg_artists")} GROUP BY ${key})`,
});
