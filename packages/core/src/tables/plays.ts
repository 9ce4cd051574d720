import { bestRow } from "../transform/sql-parts.ts";
import { fetchedAt } from "./columns.ts";
import { defineTable, rejectedBy } from "./define-table.ts";
import { priority as p } from "./priority.ts";

const rejects = {
  from: "raw_recently_played",
  rules: [
    {
      when: (r: string) => `nz(${r}.played_at) IS NULL OR bad_ts(${r}.played_at)`,
      reason: "missing or unparseable played_at",
    },
    { when: (r: string) => `nz(${r}.track.id) IS NULL`, reason: "missing track id" },
  ],
};

export const plays = defineTable({
  name: "plays",
  kind: "fact",
  grain: "one play of a track by the user",
  key: ["played_at", "track_id"],
  transform: "user",
  description:
    "The user's recently played tracks, each play stored once, in the partition of the run that first saw it.",
  columns: [
    { name: "played_at", type: "timestamp", description: "when the play started (UTC)", access: "user" },
    { name: "track_id", type: "string", description: "Spotify id of the track", access: "user" },
    {
      name: "context_uri",
      type: "string",
      description: "album, playlist or artist it was played from",
      access: "user",
    },
    { name: "context_type", type: "string", description: "type of that context", access: "user" },
    fetchedAt,
  ],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT ts_utc(played_at) AS played_at, nz(track.id)::VARCHAR AS track_id, nz(context.uri)::VARCHAR AS context_uri,
    nz(context.type)::VARCHAR AS context_type, ts_utc(_fetched_at) AS _fetched_at,
    fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_recently_played")} o WHERE NOT ${rejectedBy(rejects, "o")}
    -- A fact: a play already stored in another run date's partition stays there (other_plays, see run-transform.ts).
    AND NOT EXISTS (SELECT 1 FROM ${ref("other_plays")} p WHERE p.played_at = ts_utc(o.played_at))`,
      key,
    ),
});
