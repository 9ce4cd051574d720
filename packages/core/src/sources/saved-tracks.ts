/**
 * The tracks saved in the user's library (`GET /me/tracks`, offset pages of SavedTrackObject, scope
 * `user-library-read`). Each saved track is a full TrackObject: it feeds tracks, and through its album and credits,
 * albums and artists. `saved_tracks` is the library as seen on the run date, with when each track was saved.
 */
import * as v from "valibot";
import { TrackSchema } from "../spotify/schemas.ts";
import { fetchedAt } from "../tables/columns.ts";
import { defineTable, rejectedBy } from "../tables/define-table.ts";
import { priority as p } from "../tables/priority.ts";
import { PROVENANCE, TRACK } from "../transform/raw-types.ts";
import { bestRow, full, isTrack, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** SavedTrackObject: identified by its track (`added_at` that is missing or unreadable is NULL, not a reject). */
const SavedTrackSchema = v.looseObject({ track: TrackSchema });

const rejects = {
  from: "raw_saved_tracks",
  rules: [{ when: (r: string) => `nz(${r}.track.id) IS NULL`, reason: "missing track id" }],
};

export const savedTracksTable = defineTable({
  name: "saved_tracks",
  kind: "snapshot",
  grain: "one track saved in the user's library",
  key: ["track_id"],
  transform: "user",
  description:
    "The tracks saved in the user's library (Your Music) as listed on the run date, with when each was saved.",
  columns: [
    { name: "track_id", type: "string", description: "Spotify id of the track", access: "user" },
    { name: "added_at", type: "timestamp", description: "when the user saved it (UTC)", access: "user" },
    fetchedAt,
  ],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(track.id)::VARCHAR AS track_id, ts_utc(added_at) AS added_at, ts_utc(_fetched_at) AS _fetched_at,
    fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_saved_tracks")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
      key,
    ),
});

export const savedTracks = defineSource({
  name: "savedTracks",
  section: "user",
  config: { savedTracks: v.optional(v.boolean(), false) },
  example: { savedTracks: true },
  scope: "user-library-read",
  endpoint: { path: "/me/tracks", paginator: "next", maxLimit: 50 },
  item: SavedTrackSchema,
  raw: [
    {
      entity: "saved_tracks",
      description: "SavedTrackObject from /me/tracks (`added_at`, `track`)",
      columns: { added_at: "VARCHAR", track: TRACK, ...PROVENANCE },
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "library",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("s.o"), 1, priority, "s.f")}
  FROM (SELECT track AS o, ts_utc(_fetched_at) AS f FROM ${ref("raw_saved_tracks")}) s WHERE ${isTrack(structTrack("s.o"))}`,
    },
  ],
  tables: [savedTracksTable],
  plan: (entries, planner) => {
    if (!entries.savedTracks) return;
    planner.list("user:saved_tracks", {
      url: `/me/tracks?limit=50&offset=0&market=${planner.ctx.options.market}`,
      entity: "saved_tracks",
      item: SavedTrackSchema,
      source: "user:saved_tracks",
    });
  },
});
