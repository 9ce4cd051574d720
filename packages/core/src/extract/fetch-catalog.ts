/**
 * Catalogue sources: artists (profile, albums), albums (full object and every track page) and tracks. Each id is
 * fetched once per run even when several sources name it.
 */
import type * as v from "valibot";
import { followPages } from "../spotify/paging.ts";
import {
  AlbumSchema,
  ArtistSchema,
  SimplifiedAlbumSchema,
  SimplifiedTrackSchema,
  TrackSchema,
} from "../spotify/schemas.ts";
import { BATCH_SIZE } from "./access.ts";
import { Collected } from "./collected.ts";
import { type ExtractContext, type Fetched, fetchByIds } from "./context.ts";

const NOT_FOUND = "not found: Spotify has no object with this id (or hides it from this app)";

/** Adds fetched objects that fit `schema` to `entity`, the others to rejects. Returns the objects that fit. */
function keepValid<S extends v.GenericSchema>(
  out: Collected,
  entity: "artists" | "albums" | "tracks",
  schema: S,
  fetched: readonly Fetched[],
  sourceOf: (id: string) => string,
): Array<{ id: string; value: v.InferOutput<S> }> {
  const kept: Array<{ id: string; value: v.InferOutput<S> }> = [];
  for (const { id, object, fetchedAt } of fetched) {
    const source = sourceOf(id);
    if (object === undefined || object === null) {
      out.reject(entity, NOT_FOUND, source, fetchedAt, { id });
      continue;
    }
    const value = out.addChecked(entity, schema, object, { _fetched_at: fetchedAt, _source: source });
    if (value !== undefined) kept.push({ id, value });
  }
  return kept;
}

/** Artist profiles. */
export async function extractArtists(ctx: ExtractContext, ids: readonly string[]): Promise<Collected> {
  const out = new Collected();
  const fetched = await fetchByIds(ctx, "artists", ids, "batchArtists", BATCH_SIZE.artists);
  keepValid(out, "artists", ArtistSchema, fetched, (id) => `artist:${id}`);
  return out;
}

/** One artist's albums (simplified, newest first, at most `maxAlbumsPerArtist`); returns the album ids that fit. */
export async function extractArtistAlbums(
  ctx: ExtractContext,
  artistId: string,
): Promise<{ out: Collected; albumIds: string[] }> {
  const max = ctx.options.maxAlbumsPerArtist;
  if (max === 0) return { out: new Collected(), albumIds: [] };
  const source = `artist:${artistId}`;
  const walk = (pageLimit: number) => async () => {
    const out = new Collected();
    const albumIds: string[] = [];
    const limit = Math.min(pageLimit, max);
    const groups = ctx.options.includeGroups.join(",");
    const url = `/artists/${artistId}/albums?include_groups=${groups}&market=${ctx.options.market}&limit=${limit}&offset=0`;
    let position = 0;
    for await (const page of followPages(ctx.client, { url }, { maxItems: max })) {
      const fetchedAt = ctx.stamp();
      for (const item of page.items) {
        if (position >= max) break;
        position++;
        const album = out.addChecked("artist_albums", SimplifiedAlbumSchema, item, {
          _fetched_at: fetchedAt,
          _source: source,
          _artist_id: artistId,
        });
        if (album) albumIds.push(album.id);
      }
    }
    return { out, albumIds };
  };
  return ctx.access.usePages(max, walk);
}

/** Full albums and all their tracks: the embedded first page, then the album's further track pages. */
export async function extractAlbums(
  ctx: ExtractContext,
  ids: readonly string[],
  sources: ReadonlyMap<string, string>,
): Promise<Map<string, Collected>> {
  const sourceOf = (id: string) => sources.get(id) ?? `album:${id}`;
  const fetched = await fetchByIds(ctx, "albums", ids, "batchAlbums", BATCH_SIZE.albums);
  const byId = new Map<string, Collected>();
  await Promise.all(
    fetched.map(async (one) => {
      const out = new Collected();
      byId.set(one.id, out);
      const [album] = keepValid(out, "albums", AlbumSchema, [one], sourceOf);
      if (!album) return;
      const source = sourceOf(one.id);
      for await (const page of followPages(ctx.client, { page: album.value.tracks })) {
        const fetchedAt = ctx.stamp();
        const offset = page.offset ?? 0;
        page.items.forEach((item, i) => {
          out.addChecked("album_tracks", SimplifiedTrackSchema, item, {
            _fetched_at: fetchedAt,
            _source: source,
            _album_id: one.id,
            _position: offset + i,
          });
        });
      }
    }),
  );
  return byId;
}

/** Full tracks. */
export async function extractTracks(ctx: ExtractContext, ids: readonly string[]): Promise<Collected> {
  const out = new Collected();
  const fetched = await fetchByIds(ctx, "tracks", ids, "batchTracks", BATCH_SIZE.tracks);
  keepValid(out, "tracks", TrackSchema, fetched, (id) => `track:${id}`);
  return out;
}
