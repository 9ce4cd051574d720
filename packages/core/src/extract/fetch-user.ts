/**
 * User-scoped sources (need SPOTIFY_REFRESH_TOKEN from `tunelake auth`): the last 50 plays and top artists/tracks.
 */
import type { Sources } from "../config/schema.ts";
import { followPages } from "../spotify/paging.ts";
import { ArtistSchema, PlayHistorySchema, TrackSchema } from "../spotify/schemas.ts";
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
        // Spotify keeps only the last 50 plays: one page, no paging back in time.
        for await (const page of followPages(
          ctx.client,
          { url: "/me/player/recently-played?limit=50" },
          { user: true, maxItems: 50 },
        )) {
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
