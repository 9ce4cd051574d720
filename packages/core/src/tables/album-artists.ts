import { bridge } from "../transform/sql-parts.ts";
import { bridgeColumns } from "./columns.ts";
import { defineTable } from "./define-table.ts";

export const albumArtists = defineTable({
  name: "album_artists",
  kind: "snapshot",
  grain: "one credited artist of one album",
  key: ["album_id", "artist_id"],
  transform: "albums",
  description: "The artists credited on each album, in credit order.",
  columns: bridgeColumns("album"),
  model: ({ ref, key }) => bridge(ref("best_albums"), "album_id", key),
});
