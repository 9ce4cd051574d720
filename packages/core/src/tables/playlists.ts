import { best, missingId, otherType, playlistCols } from "../transform/sql-parts.ts";
import { fetchedColumns, spotifyUrl, uri } from "./columns.ts";
import { defineTable, rejectedBy } from "./define-table.ts";
import { priority as p } from "./priority.ts";

const rejects = { from: "raw_playlists", rules: [missingId, otherType("playlist")] };

export const playlists = defineTable({
  name: "playlists",
  kind: "snapshot",
  grain: "one playlist",
  key: ["playlist_id"],
  transform: "playlists",
  description: "Configured playlists' metadata and playlists found by searches.",
  columns: [
    { name: "playlist_id", type: "string", description: "Spotify id" },
    { name: "name", type: "string", description: "playlist name" },
    { name: "owner_id", type: "string", description: "Spotify user id of the owner" },
    { name: "snapshot_id", type: "string", description: "version of the playlist" },
    { name: "public", type: "boolean", description: "shown on the owner's profile" },
    { name: "collaborative", type: "boolean", description: "others may edit it" },
    { name: "total_items", type: "int", description: "number of entries" },
    { name: "owner_name", type: "string", description: "owner's display name" },
    { name: "description", type: "string", description: "playlist description" },
    { name: "followers", type: "bigint", description: "follower count", access: "extended" },
    { name: "image_url", type: "string", description: "URL of the largest image" },
    spotifyUrl("playlist"),
    uri("playlist"),
    ...fetchedColumns,
  ],
  rejects,
  model: ({ ref, key }) => `
SELECT playlist_id::VARCHAR AS playlist_id, name::VARCHAR AS name, owner_id::VARCHAR AS owner_id,
  snapshot_id::VARCHAR AS snapshot_id, public::BOOLEAN AS public, collaborative::BOOLEAN AS collaborative,
  total_items::INTEGER AS total_items, owner_name::VARCHAR AS owner_name, description::VARCHAR AS description,
  followers::BIGINT AS followers, image_url::VARCHAR AS image_url, spotify_url('playlist', playlist_id) AS spotify_url,
  spotify_uri('playlist', playlist_id) AS uri, _fetched_at::TIMESTAMP AS _fetched_at
FROM (SELECT ${key},
  ${best(["name", "owner_id", "snapshot_id", "public", "collaborative", "total_items", "owner_name", "description", "followers", "image_url"])},
  arg_max(_fetched_at, _rank) AS _fetched_at
  FROM (
    SELECT ${playlistCols("o", 1, p("full"))} FROM ${ref("raw_playlists")} o WHERE NOT ${rejectedBy(rejects, "o")}
    UNION ALL SELECT ${playlistCols("o", 0, p("search"))}
      FROM ${ref("raw_search_results")} o WHERE o._search_type = 'playlist' AND nz(o.id) IS NOT NULL
  ) GROUP BY ${key})`,
});
