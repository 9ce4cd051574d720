/**
 * User-scoped sources (need SPOTIFY_REFRESH_TOKEN from `tunelake auth`): the last 50 plays and top artists/tracks.
 * Plays are a fact (docs/tables.md): each run asks only for plays after the newest one stored in the raw zone by an
 * earlier run date (the `after` cursor, in ms), and the transform keeps each play in one partition only.
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { Sources } from "../config/schema.ts";
import { rawPrefix } from "../lake.ts";
import { followPages } from "../spotify/paging.ts";
import { ArtistSchema, PlayHistorySchema, TrackSchema } from "../spotify/schemas.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { Collected } from "./collected.ts";
import type { ExtractContext } from "./context.ts";

/** True when the config asks for any user-scoped source. */
export function wantsUserSources(user: Sources["user"]): boolean {
  return user.recentlyPlayed || user.topTracks.length > 0 || user.topArtists.length > 0;
}

export async function extractUser(ctx: ExtractContext, user: Sources["user"]): Promise<Collected> {
  const tasks: Array<Promise<Collected>> = [];
  if (user.recentlyPlayed) {
    tasks.push(
      (async () => {
        const out = new Collected();
        const source = "user:recently_played";
        const after = ctx.lake ? await newestStoredPlay(ctx.lake.store, ctx.lake.date) : undefined;
        const url = `/me/player/recently-played?limit=50${after === undefined ? "" : `&after=${after}`}`;
        // Spotify keeps only the last 50 plays: one page, no paging back in time.
        for await (const page of followPages(ctx.client, { url }, { user: true, maxItems: 50 })) {
          const fetchedAt = ctx.stamp();
          for (const item of page.items) {
            out.addChecked("recently_played", PlayHistorySchema, item, { _fetched_at: fetchedAt, _source: source });
          }
        }
        return out;
      })(),
    );
  }
  const tops = [
    ...user.topTracks.map((range) => ({ type: "tracks" as const, range })),
    ...user.topArtists.map((range) => ({ type: "artists" as const, range })),
  ];
  for (const { type, range } of tops) {
    tasks.push(
      (async () => {
        const out = new Collected();
        const source = `user:top:${type}:${range}`;
        const schema = type === "tracks" ? TrackSchema : ArtistSchema;
        const url = `/me/top/${type}?time_range=${range}&limit=50&offset=0`;
        for await (const page of followPages(ctx.client, { url }, { user: true })) {
          const fetchedAt = ctx.stamp();
          page.items.forEach((item, i) => {
            out.addChecked("top_items", schema, item, {
              _fetched_at: fetchedAt,
              _source: source,
              _time_range: range,
              _item_type: type === "tracks" ? "track" : "artist",
              _rank: (page.offset ?? 0) + i + 1,
            });
          });
        }
        return out;
      })(),
    );
  }
  return new Collected().merge(await Promise.all(tasks));
}

const gunzipAsync = promisify(gunzip);
const DT = /\/dt=(\d{4}-\d{2}-\d{2})\//;

/**
 * The newest `played_at` (epoch ms) in the raw recently_played objects of the latest run date before `date` that
 * has any, or undefined when there is none. Only earlier dates count, so a rerun of a date asks what its first run
 * asked (and gets the same plays, as far as Spotify still has them).
 */
export async function newestStoredPlay(store: ObjectStore, date: string): Promise<number | undefined> {
  const keys = (await store.list("recently_played/")).filter((key) => key.endsWith(".ndjson.gz"));
  const dates = [...new Set(keys.map((key) => DT.exec(key)?.[1]).filter((d): d is string => !!d && d < date))];
  for (const earlier of dates.sort().reverse()) {
    let newest: number | undefined;
    for (const key of keys.filter((k) => k.startsWith(rawPrefix("recently_played", earlier)))) {
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
