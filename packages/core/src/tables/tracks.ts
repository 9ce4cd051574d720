import { missingId, otherType } from "../transform/sql-parts.ts";
import { fetchedColumns, spotifyUrl, uri } from "./columns.ts";
import { defineTable } from "./define-table.ts";

export const tracks = defineTable({
  name: "tracks",
  kind: "snapshot",
  grain: "one track",
  key: ["track_id"],
  transform: "tracks",
  description: "Every track seen on the run date: configured tracks, album tracks, playlist entries, plays.",
  columns: [
    { name: "track_id", type: "string", description: "Spotify id" },
    { name: "name", type: "string", description: "track name" },
    { name: "album_id", type: "string", description: "Spotify id of its album" },
    { name: "duration_ms", type: "int", description: "length in milliseconds" },
    { name: "explicit", type: "boolean", description: "explicit lyrics" },
    { name: "disc_number", type: "int", description: "disc number on its album" },
    { name: "track_number", type: "int", description: "position on its disc" },
    { name: "isrc", type: "string", description: "ISRC (external_ids.isrc)" },
    { name: "popularity", type: "int", description: "0-100 popularity", access: "extended" },
    { name: "is_local", type: "boolean", description: "a local file of a playlist" },
    spotifyUrl("track"),
    uri("track"),
    ...fetchedColumns,
  ],
  rejects: { from: "raw_tracks", rules: [missingId, otherType("track")] },
  references: [{ column: "album_id", to: "albums", toColumn: "album_id" }],
  checks: [{ name: "tracks_duration_ms_positive", badRow: `"duration_ms" IS NOT NULL AND "duration_ms" <= 0` }],
  model: ({ ref }) => `
SELECT track_id::VARCHAR AS track_id, name::VARCHAR AS name, album_id::VARCHAR AS album_id,
  duration_ms::INTEGER AS duration_ms, explicit::BOOLEAN AS explicit, disc_number::INTEGER AS disc_number,
  track_number::INTEGER AS track_number, isrc::VARCHAR AS isrc, popularity::INTEGER AS popularity,
  is_local::BOOLEAN AS is_local, spotify_url('track', track_id) AS spotify_url,
  coalesce(uri, spotify_uri('track', track_id)) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM ${ref("best_tracks")}`,
});
