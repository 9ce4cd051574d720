import * as v from "valibot";
import { type SearchSource, SearchSourceSchema } from "../config/entries.ts";
import { pageLimitFor } from "../extract/fetch-catalog.ts";
import { extractSearch } from "../extract/fetch-searches.ts";
import { SEARCH_ITEM_SCHEMAS } from "../spotify/schemas.ts";
import { ARTIST, mergeTypes, PLAYLIST, PROVENANCE, SIMPLE_ALBUM, TRACK } from "../transform/raw-types.ts";
import { albumCols, artistCols, full, isTrack, structAlbum, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

const searchKey = (q: SearchSource) => `${q.type}\u0000${q.query}\u0000${q.market ?? ""}`;

/** Configured searches (e.g. `tag:new` albums, the replacement for the removed new-releases endpoint). */
export const searches = defineSource({
  name: "searches",
  section: "catalog",
  config: { searches: v.optional(v.array(SearchSourceSchema), []) },
  endpoint: { path: "/search", paginator: "offset", maxLimit: 50 },
  item: v.union(Object.values(SEARCH_ITEM_SCHEMAS)),
  raw: [
    {
      entity: "search_results",
      description: "one item of a search page (album, artist, track or playlist); `_query`, `_search_type`, `_rank`",
      columns: {
        ...mergeTypes(TRACK, SIMPLE_ALBUM, ARTIST, PLAYLIST),
        ...PROVENANCE,
        _query: "VARCHAR",
        _search_type: "VARCHAR",
        _rank: "BIGINT",
      },
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "search",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("o"), 1, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_search_results")} o WHERE o._search_type = 'track' AND ${isTrack(structTrack("o"))}`,
    },
    {
      model: "stg_albums",
      priority: "search",
      select: ({ ref, priority }) => `SELECT ${albumCols(structAlbum("o"), 0, priority, "ts_utc(o._fetched_at)")}
  FROM ${ref("raw_search_results")} o WHERE o._search_type = 'album' AND nz(o.id) IS NOT NULL`,
    },
    {
      model: "stg_artists",
      priority: "search",
      select: ({ ref, priority }) => `SELECT ${artistCols("o", 1, priority, "ts_utc(o._fetched_at)")}
      FROM ${ref("raw_search_results")} o WHERE o._search_type = 'artist' AND nz(o.id) IS NOT NULL`,
    },
  ],
  plan: (entries, planner) => {
    for (const search of new Map(entries.searches.map((q) => [searchKey(q), q])).values()) {
      const key = `search:${search.type}:${search.query}:${search.market ?? ""}`;
      const pages = Math.ceil(Math.min(search.limit, 1001) / pageLimitFor(planner.ctx, search.limit));
      planner.unit(key, () => extractSearch(planner.ctx, search), {
        requests: { "GET /search": pages },
        why: "refresh",
      });
    }
  },
});
