import * as v from "valibot";
import { SpotifyIdSchema } from "../config/entries.ts";
import { unique } from "../extract/context.ts";
import { checkPlaylist, extractPlaylist, playlistEstimate } from "../extract/fetch-playlists.ts";
import { PlaylistSchema } from "../spotify/schemas.ts";
import { ENTRY, PLAYLIST, PROVENANCE } from "../transform/raw-types.ts";
import {
  ALBUM_FIELDS,
  cleanAlbumField,
  ENTRIES_PAGE,
  FULL_TRACK_FIELDS,
  flat,
  full,
  isTrack,
  STRING_FIELDS,
  structAlbum,
  structTrack,
  TRACK_FIELDS,
  trackCols,
} from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

/**
 * The flat projection that loads raw playlist entries: the largest raw entity, so only the fields the tables use
 * are kept (one `item_*` set whether the entry came as `item` (2026) or `track` (pre-2026)), not nested copies.
 */
const PLAYLIST_ITEMS_LOAD = [
  // Timestamps stored as such (8 bytes, parsed once); one that does not parse is NULL (the raw zone keeps it).
  "_playlist_id, _position, ts_utc(added_at) AS added_ts",
  "nz(added_by.id) AS added_by_id, is_local AS entry_is_local, ts_utc(_fetched_at) AS _fetched_at",
  // Strings are cleaned here, once, not by each of the queries that read them (stg_tracks twice, playlist_items).
  ...[...TRACK_FIELDS, ...FULL_TRACK_FIELDS, "artists"]
    .filter((f) => f !== "uri")
    .map((f) => {
      const value = `coalesce(${structTrack("item")(f)}, ${structTrack("track")(f)})`;
      return `${STRING_FIELDS.has(f) ? `nz(${value})` : value} AS item_${f}`;
    }),
  // The uri follows from type and id except for local files: keep it only then.
  `nz(CASE WHEN coalesce(item.uri, track.uri) IS DISTINCT FROM
    spotify_uri(coalesce(item.type, track.type), coalesce(item.id, track.id)) THEN coalesce(item.uri, track.uri) END)
    AS item_uri`,
  ...[...ALBUM_FIELDS, "artists"].map((f) => {
    const value = `coalesce(${structAlbum("item.album")(f)}, ${structAlbum("track.album")(f)})`;
    // The name stays as read: whether it is present tells an album object from none (see trackCols).
    return `${f === "name" || !STRING_FIELDS.has(f) ? value : cleanAlbumField(f, value)} AS item_album_${f}`;
  }),
].join(",\n  ");

/** Configured playlists: metadata, and their entries where this app may read them. */
export const playlists = defineSource({
  name: "playlists",
  section: "catalog",
  config: { playlists: v.optional(v.array(SpotifyIdSchema), []) },
  endpoint: { path: "/playlists/{id}", paginator: "next" },
  item: PlaylistSchema,
  raw: [
    {
      entity: "playlists",
      description:
        "PlaylistObject metadata (GET /playlists/{id}); its embedded entries page is kept as returned; `_etag` when Spotify sent an ETag",
      columns: { ...PLAYLIST, ...PROVENANCE },
    },
    {
      entity: "playlist_items",
      description: "PlaylistTrackObject entries (`track` pre-2026, `item` 2026); `_playlist_id`, `_position`",
      columns: { ...ENTRY, ...PROVENANCE, _playlist_id: "VARCHAR", _position: "BIGINT" },
      load: PLAYLIST_ITEMS_LOAD,
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "listing",
      select: ({ ref, priority }) =>
        `SELECT ${trackCols(flat("r.item_"), flat("r.item_album_"), "r.item_album_id", 1, priority, "r._fetched_at", true)}
  FROM ${ref("raw_playlist_items")} r WHERE ${isTrack(flat("r.item_"), true)}`,
    },
    {
      model: "stg_tracks",
      priority: "embedded",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("s.o"), 1, priority, "s.f")}
  FROM (SELECT coalesce(e.item, e.track) AS o, f FROM (
    SELECT unnest(page.items) AS e, f FROM (
      SELECT ${ENTRIES_PAGE("p")} AS page, ts_utc(p._fetched_at) AS f FROM ${ref("raw_playlists")} p))) s
  WHERE ${isTrack(structTrack("s.o"))}`,
    },
  ],
  plan: (entries, planner) => {
    const { known } = planner;
    for (const id of unique(entries.playlists)) {
      const playlist = known.playlists.get(id);
      if (!playlist || !known.base || planner.due("playlists", id, playlist)) {
        planner.unit(`playlist:${id}`, () => extractPlaylist(planner.ctx, id), playlistEstimate(planner.ctx, playlist));
        continue;
      }
      const items = known.playlistItems.get(id) ?? [];
      const base = known.base;
      planner.unit(`playlist:${id}`, () => checkPlaylist(planner.ctx, id, { playlist, items, base }), {
        requests: { "GET /playlists/{id}": 1 },
        why: "check",
      });
    }
  },
});
