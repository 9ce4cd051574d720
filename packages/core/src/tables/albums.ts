import { missingId, otherType } from "../transform/sql-parts.ts";
import { fetchedColumns, spotifyUrl, uri } from "./columns.ts";
import { defineTable } from "./define-table.ts";

export const albums = defineTable({
  name: "albums",
  kind: "snapshot",
  grain: "one album",
  key: ["album_id"],
  transform: "albums",
  description: "Every album seen on the run date, from full album objects and the simplified copies in tracks.",
  columns: [
    { name: "album_id", type: "string", description: "Spotify id" },
    { name: "name", type: "string", description: "album name" },
    { name: "album_type", type: "string", description: "album, single or compilation" },
    { name: "release_date", type: "date", description: "first day of the release period" },
    { name: "release_date_precision", type: "string", description: "year, month or day" },
    { name: "total_tracks", type: "int", description: "number of tracks" },
    { name: "label", type: "string", description: "record label", access: "extended" },
    { name: "popularity", type: "int", description: "0-100 popularity", access: "extended" },
    { name: "upc", type: "string", description: "UPC barcode (external_ids.upc)" },
    { name: "image_url", type: "string", description: "URL of the largest cover image" },
    { name: "release_year", type: "int", description: "year of release_date" },
    { name: "genres", type: "array<string>", description: "genres (deprecated by Spotify)", access: "extended" },
    spotifyUrl("album"),
    uri("album"),
    ...fetchedColumns,
  ],
  rejects: { from: "raw_albums", rules: [missingId, otherType("album")] },
  checks: [
    {
      name: "albums_release_date_precision_valid",
      badRow: `"release_date_precision" IS NOT NULL AND "release_date_precision" NOT IN ('day', 'month', 'year')`,
    },
  ],
  model: ({ ref }) => `
SELECT album_id::VARCHAR AS album_id, name::VARCHAR AS name, album_type::VARCHAR AS album_type,
  rel_date(release_date) AS release_date, rel_prec(release_date, release_date_precision)::VARCHAR AS release_date_precision,
  total_tracks::INTEGER AS total_tracks, label::VARCHAR AS label, popularity::INTEGER AS popularity, upc::VARCHAR AS upc,
  image_url::VARCHAR AS image_url, year(rel_date(release_date))::INTEGER AS release_year, genres::VARCHAR[] AS genres,
  spotify_url('album', album_id) AS spotify_url, spotify_uri('album', album_id) AS uri,
  _fetched_at::TIMESTAMP AS _fetched_at
FROM ${ref("best_albums")}`,
});
