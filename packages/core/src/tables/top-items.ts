import { bestRow, missingId } from "../transform/sql-parts.ts";
import { fetchedAt } from "./columns.ts";
import { defineTable, rejectedBy } from "./define-table.ts";
import { priority as p } from "./priority.ts";

const rejects = {
  from: "raw_top_items",
  rules: [
    {
      when: (r: string) => `nz(${r}._time_range) IS NULL OR nz(${r}._item_type) IS NULL OR ${r}._rank IS NULL`,
      reason: "missing _time_range, _item_type or _rank",
    },
    missingId,
    {
      when: (r: string) => `nz(${r}.type) IS NOT NULL AND nz(${r}.type) <> rtrim(nz(${r}._item_type), 's')`,
      reason: "type is not the listed item type",
    },
  ],
};

export const topItems = defineTable({
  name: "top_items",
  kind: "observation",
  grain: "one ranked item of one top list on the run date",
  key: ["time_range", "item_type", "rank"],
  transform: "user",
  description: "The user's top tracks and artists per time range, as ranked on the run date.",
  columns: [
    { name: "time_range", type: "string", description: "short_term, medium_term or long_term", access: "user" },
    { name: "item_type", type: "string", description: "track or artist", access: "user" },
    { name: "rank", type: "int", description: "1-based rank", access: "user" },
    { name: "item_id", type: "string", description: "Spotify id of the item", access: "user" },
    { name: "item_name", type: "string", description: "name of the item", access: "user" },
    { name: "item_uri", type: "string", description: "Spotify URI of the item", access: "user" },
    fetchedAt,
  ],
  rejects,
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(_time_range)::VARCHAR AS time_range, nz(_item_type)::VARCHAR AS item_type, _rank::INTEGER AS rank,
    nz(id)::VARCHAR AS item_id, nz(name)::VARCHAR AS item_name, nz(uri)::VARCHAR AS item_uri,
    ts_utc(_fetched_at) AS _fetched_at, fetch_rank(1, ts_utc(_fetched_at), ${p("full")}) AS _rank
  FROM ${ref("raw_top_items")} o WHERE NOT ${rejectedBy(rejects, "o")}`,
      key,
    ),
});
