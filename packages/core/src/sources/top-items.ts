import * as v from "valibot";
import { TimeRangeSchema } from "../config/entries.ts";
import { ArtistSchema, TrackSchema } from "../spotify/schemas.ts";
import { ARTIST, mergeTypes, PROVENANCE, TRACK } from "../transform/raw-types.ts";
import { artistCols, full, isTrack, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/** The user's top tracks and artists per configured time range, in rank order. */
export const topItems = defineSource({
  name: "topItems",
  section: "user",
  config: {
    topTracks: v.optional(v.array(TimeRangeSchema), []),
    topArtists: v.optional(v.array(TimeRangeSchema), []),
  },
  example: { topTracks: ["short_term"], topArtists: ["short_term"] },
  scope: "user-top-read",
  endpoint: { path: "/me/top/{type}", paginator: "offset", maxLimit: 50 },
  item: v.union([TrackSchema, ArtistSchema]),
  raw: [
    {
      entity: "top_items",
      description: "ArtistObject or TrackObject from /me/top/{type}; `_time_range`, `_item_type`, `_rank`",
      columns: {
        ...mergeTypes(TRACK, ARTIST),
        ...PROVENANCE,
        _time_range: "VARCHAR",
        _item_type: "VARCHAR",
        _rank: "BIGINT",
      },
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "top",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("o"), 1, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_top_items")} o WHERE o._item_type IN ('tracks', 'track') AND ${isTrack(structTrack("o"))}`,
    },
    {
      model: "stg_artists",
      priority: "top",
      select: ({ ref, priority }) => `SELECT ${artistCols("o", 1, priority, "ts_utc(o._fetched_at)")}
      FROM ${ref("raw_top_items")} o WHERE o._item_type IN ('artists', 'artist') AND nz(o.id) IS NOT NULL`,
    },
  ],
  plan: (entries, planner) => {
    const lists = [
      ...entries.topTracks.map((range) => ({ type: "tracks" as const, range })),
      ...entries.topArtists.map((range) => ({ type: "artists" as const, range })),
    ];
    for (const { type, range } of lists) {
      planner.list(`user:top:${type}:${range}`, {
        url: `/me/top/${type}?time_range=${range}&limit=50&offset=0`,
        entity: "top_items",
        item: type === "tracks" ? TrackSchema : ArtistSchema,
        source: `user:top:${type}:${range}`,
        provenance: (index) => ({
          _time_range: range,
          _item_type: type === "tracks" ? "track" : "artist",
          _rank: index + 1,
        }),
      });
    }
  },
});
