import { bestRow, ENTRIES_PAGE } from "../transform/sql-parts.ts";
import { fetchedAt } from "./columns.ts";
import { defineTable, rejectedBy } from "./define-table.ts";
import { playlists } from "./playlists.ts";
import { priority as p } from "./priority.ts";

const rejects = {
  from: "raw_playlist_items",
  rules: [
    {
      when: (r: string) => `nz(${r}._playlist_id) IS NULL OR ${r}._position IS NULL`,
      reason: "missing _playlist_id or _position",
    },
  ],
};

export const playlistItems = defineTable({
  name: "playlist_items",
  kind: "observation",
  grain: "one entry of one playlist on the run date",
  key: ["playlist_id", "position"],
  transform: "playlists",
  description:
    "Playlist entries as listed on the run date. Entries are readable for playlists the user owns or collaborates on (development) or any public playlist (extended).",
  columns: [
    { name: "playlist_id", type: "string", description: "Spotify id of the playlist" },
    { name: "position", type: "int", description: "0-based position in the playlist" },
    { name: "item_id", type: "string", description: "track or episode id (NULL for local files)" },
    { name: "item_type", type: "string", description: "track or episode" },
    { name: "added_at", type: "timestamp", description: "when the entry was added (UTC)" },
    { name: "added_by", type: "string", description: "Spotify user id of who added it" },
    { name: "item_uri", type: "string", description: "Spotify URI of the item" },
    { name: "item_name", type: "string", description: "name of the item" },
    { name: "is_local", type: "boolean", description: "a local file" },
    fetchedAt,
  ],
  rejects,
  references: [{ column: "item_id", to: "tracks", toColumn: "track_id", where: `"item_type" = 'track'` }],
  model: ({ ref, key }) =>
    bestRow(
      `SELECT nz(r._playlist_id)::VARCHAR AS playlist_id, r._position::INTEGER AS position,
    CASE WHEN coalesce(r.entry_is_local, r.item_is_local, false) THEN NULL ELSE r.item_id END::VARCHAR AS item_id,
    r.item_type::VARCHAR AS item_type, r.added_ts AS added_at, r.added_by_id::VARCHAR AS added_by,
    coalesce(r.item_uri, spotify_uri(r.item_type, r.item_id))::VARCHAR AS item_uri,
    r.item_name::VARCHAR AS item_name, coalesce(r.entry_is_local, r.item_is_local)::BOOLEAN AS is_local,
    r._fetched_at AS _fetched_at, fetch_rank(1, r._fetched_at, ${p("full")}) AS _rank
  FROM ${ref("raw_playlist_items")} r WHERE NOT ${rejectedBy(rejects, "r")}
  UNION ALL SELECT playlist_id, (pos + coalesce(page_offset, 0))::INTEGER,
    CASE WHEN coalesce(e.is_local, o.is_local, false) THEN NULL ELSE nz(o.id) END, nz(o.type), ts_utc(e.added_at),
    nz(e.added_by.id), nz(o.uri), nz(o.name), coalesce(e.is_local, o.is_local), f, fetch_rank(1, f, ${p("embedded")})
  FROM (SELECT *, coalesce(e.item, e.track) AS o FROM (
    SELECT playlist_id, page_offset, f, unnest(page.items) AS e, generate_subscripts(page.items, 1) - 1 AS pos
    FROM (SELECT nz(p.id) AS playlist_id, ${ENTRIES_PAGE("p")} AS page, ${ENTRIES_PAGE("p")}.offset AS page_offset,
        ts_utc(p._fetched_at) AS f
      FROM ${ref("raw_playlists")} p WHERE NOT ${rejectedBy(playlists.rejects, "p")})))`,
      key,
    ),
});
