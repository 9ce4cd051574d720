/**
 * The user's last 50 plays. Plays are a fact (docs/tables.md): each run asks only for plays after the newest one
 * stored in the raw zone by an earlier run date (the `after` cursor, in ms), and the transform keeps each play in one
 * partition only.
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import * as v from "valibot";
import { Collected } from "../extract/collected.ts";
import type { ExtractContext } from "../extract/context.ts";
import { followPages } from "../spotify/paging.ts";
import { PlayHistorySchema } from "../spotify/schemas.ts";
import { PROVENANCE, TRACK } from "../transform/raw-types.ts";
import { full, isTrack, structTrack, trackCols } from "../transform/sql-parts.ts";
import { defineSource } from "./define-source.ts";

const ENTITY = "recently_played";

export const recentlyPlayed = defineSource({
  name: "recentlyPlayed",
  section: "user",
  config: { recentlyPlayed: v.optional(v.boolean(), false) },
  example: { recentlyPlayed: true },
  scope: "user-read-recently-played",
  endpoint: { path: "/me/player/recently-played", paginator: "cursor", maxLimit: 50 },
  item: PlayHistorySchema,
  raw: [
    {
      entity: ENTITY,
      description: "PlayHistoryObject from /me/player/recently-played",
      columns: { track: TRACK, played_at: "VARCHAR", context: { uri: "VARCHAR", type: "VARCHAR" }, ...PROVENANCE },
    },
  ],
  feeds: [
    {
      model: "stg_tracks",
      priority: "recent",
      select: ({ ref, priority }) => `SELECT ${trackCols(...full("s.o"), 1, priority, "s.f")}
  FROM (SELECT track AS o, ts_utc(_fetched_at) AS f FROM ${ref("raw_recently_played")}) s WHERE ${isTrack(structTrack("s.o"))}`,
    },
  ],
  plan: (entries, planner) => {
    if (entries.recentlyPlayed) {
      planner.unit("user:recently_played", () => extractRecentlyPlayed(planner.ctx), {
        requests: { "GET /me/player/recently-played": 1 },
        why: "refresh",
      });
    }
  },
});

async function extractRecentlyPlayed(ctx: ExtractContext): Promise<Collected> {
  const out = new Collected();
  const source = "user:recently_played";
  const after = ctx.lake ? await newestStoredPlay(ctx.lake) : undefined;
  const url = `/me/player/recently-played?limit=50${after === undefined ? "" : `&after=${after}`}`;
  // Spotify keeps only the last 50 plays: one page, no paging back in time.
  for await (const page of followPages(ctx.client, { url }, { user: true, maxItems: 50 })) {
    const fetchedAt = ctx.stamp();
    for (const item of page.items) {
      out.addChecked(ENTITY, PlayHistorySchema, item, { _fetched_at: fetchedAt, _source: source });
    }
  }
  return out;
}

const gunzipAsync = promisify(gunzip);
const DT = /\/dt=(\d{4}-\d{2}-\d{2})\//;

/**
 * The newest `played_at` (epoch ms) in the raw recently_played objects of the latest run date before `date` that
 * has any, or undefined when there is none. Only earlier dates count, so a rerun of a date asks what its first run
 * asked (and gets the same plays, as far as Spotify still has them).
 */
export async function newestStoredPlay(lake: NonNullable<ExtractContext["lake"]>): Promise<number | undefined> {
  const { store, date, rawPrefix } = lake;
  const keys = (await store.list(`${ENTITY}/`)).filter((key) => key.endsWith(".ndjson.gz"));
  const dates = [...new Set(keys.map((key) => DT.exec(key)?.[1]).filter((d): d is string => !!d && d < date))];
  for (const earlier of dates.sort().reverse()) {
    let newest: number | undefined;
    for (const key of keys.filter((k) => k.startsWith(rawPrefix(ENTITY, earlier)))) {
      const body = await store.get(key);
      if (!body) continue;
      for (const line of (await gunzipAsync(body)).toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        let playedAt = Number.NaN;
        try {
          playedAt = Date.parse(String((JSON.parse(line) as { played_at?: unknown }).played_at));
        } catch {
          // A line that is not JSON names no play (the transform sets it aside).
        }
        if (Number.isFinite(playedAt) && (newest === undefined || playedAt > newest)) newest = playedAt;
      }
    }
    if (newest !== undefined) return newest;
  }
  return undefined;
}
