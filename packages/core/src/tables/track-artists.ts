import { bridge } from "../transform/sql-parts.ts";
import { bridgeColumns } from "./columns.ts";
import { defineTable } from "./define-table.ts";

export const trackArtists = defineTable({
  name: "track_artists",
  kind: "snapshot",
  grain: "one credited artist of one track",
  key: ["track_id", "artist_id"],
  transform: "tracks",
  description: "The artists credited on each track, in credit order.",
  columns: bridgeColumns("track"),
  references: [{ column: "artist_id", to: "artists", toColumn: "artist_id" }],
  model: ({ ref, key }) => bridge(ref("best_tracks"), "track_id", key),
});
