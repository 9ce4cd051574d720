import { bestRow } from "../transform/sql-parts.ts";
import { fetchedAt } from "./columns.ts";
import { defineTable, rejectedBy } from "./define-table.ts";
import { priority as p } from "./priority.ts";

const rejects = {
  from: "raw_search_results",
  rules: [
    {
      when: (r: string) => `nz(${r}._query) IS NULL OR nz(${r}._search_type) IS NULL OR ${r}._rank IS NULL`,
      reason: "missing _query, _search_type or _rank",
    },
    {
      when: (r: string) => `nz(${r}.type) IS NOT NULL AND nz(${r}.type) IS DISTINCT FROM nz(${r}._search_type)`,
      reason: "type is not the searched type",
    },
  ],
};

export const searchResults = defineTable({
  name: "search_results",
  kind: "observation",
  grain: "one ranked result of one configured search on the run date",
  key: ["query", "search_type", "rank"],
  transform: "search_results",
  description: "What each configured search returned on the run date, in rank order.",
  columns: [
    { name: "query", type: "string", description: "the configured query, e.g. tag:new" },
    { name: "search_type", type: "string", description: "album, artist, track or playlist" },
    { name: "rank", type: "int", description: "1-based rank in the results" },
    { name: "item_id", type: "string", description: "Spotify id of the result" },
    { name: "item_name", type: "string", description: "name of the result" },
    { name: "item_uri", type: "string", description: "Spotify URI of the result" },
    fetchedAt,
  ],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(_query)::VARCHAR AS query, nz(_search_type)::VARCHAR AS search_type, _rank::INTEGER AS rank,
    nz(id)::VARCHAR AS item_id, nz(name)::VARCHAR AS item_name, nz(uri)::VARCHAR AS item_uri,
    ts_utc(_fetched_at) AS _fetched_at, fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_search_results")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
      key,
    ),
});
