import * as v from "valibot";
import { SpotifyIdSchema } from "../config/entries.ts";
import { unique } from "../extract/context.ts";
import { extractTracks } from "../extract/fetch-catalog.ts";
import { dueOrCarry } from "../extract/incremental.ts";
import { TrackSchema } from "../spotify/schemas.ts";
import { PROVENANCE, TRACK } from "../transform/raw-types.ts";
import { full, isTrack, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** Configured tracks, as full objects. */
export const tracks = defineSource({
  name: "tracks",
  section: "catalog",
  config: { tracks: v.optional(v.array(SpotifyIdSchema), []) },
  endpoint: { path: "/tracks/{id}", paginator: "none" },
  item: TrackSchema,
  raw: [
    { entity: "tracks", description: "TrackObject (GET /tracks/{id} or batch)", columns: { ...TRACK, ...PROVENANCE } },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "full",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("o"), 1, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_tracks")} o WHERE ${isTrack(structTrack("o"))}`,
    },
  ],
  plan: (entries, planner) =>
    planner.byIds("track", dueOrCarry(planner, "tracks", unique(entries.tracks)), (group) =>
      extractTracks(planner.ctx, group),
    ),
});
