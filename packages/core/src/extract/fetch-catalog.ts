/**
 * Catalogue sources: artists (profile, albums), albums (full object and every track page) and tracks. Each id is
 * fetched once per run even when several sources name it.
 */
import type * as v from "valibot";
import type { Estimate, Planner } from "../sources/define-source.ts";
import { followPages } from "../spotify/paging.ts";
import {
  AlbumSchema,
  ArtistSchema,
  SimplifiedAlbumSchema,
  SimplifiedTrackSchema,
  TrackSchema,
} from "../spotify/schemas.ts";
import { BATCH_SIZE, PAGE_LIMIT } from "./access.ts";
import { Collected } from "./collected.ts";
import { type ExtractContext, type Fetched, fetchByIds } from "./context.ts";
import { listStamp } from "./incremental.ts";
import { carriedLine, type KnownEntry } from "./known-objects.ts";

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

/**
 * The include groups Spotify lists newest first: a check (every `extract.refresh.artistAlbumsCheck` days) reads them
 * down to the first album already known.
 * `appears_on` is not ordered by date, so it is only listed again when due.
 */
const ORDERED_GROUPS: ReadonlySet<string> = new Set(["album", "single", "compilation"]);

/** How one include group of an artist is read: listed in full, checked down to the first known album, or carried. */
export interface GroupRead {
  group: string;
  mode: "full" | "check" | "carry";
  known: readonly KnownEntry[];
}

/** How each configured include group of an artist is read on the run date (the run and `tunelake plan` alike). */
export function artistAlbumReads(planner: Planner, artistId: string): GroupRead[] {
  const known = planner.known.artistAlbums.get(artistId);
  // An artist the base day read has every group it listed there: a group without lines was empty (its stamp is the
  // profile's), so it is checked on its day like the others instead of listed again every day.
  const profile = planner.known.artists.get(artistId);
  return planner.ctx.options.includeGroups.map((group): GroupRead => {
    const list = known?.get(group) ?? (profile ? [] : undefined);
    const stamp = list && list.length === 0 ? profile : listStamp(list ?? []);
    if (!list || planner.due("artistAlbums", `${artistId}:${group}`, stamp)) {
      return { group, mode: "full", known: list ?? [] };
    }
    const check = ORDERED_GROUPS.has(group) && planner.onSlot("artistAlbumsCheck", `${artistId}:${group}`);
    return { group, mode: check ? "check" : "carry", known: list };
  });
}

/**
 * What reading an artist's albums as `reads` says costs (for `tunelake plan`): a carried group nothing, a check one
 * page (when nothing is new), a full listing the pages of its known albums; and the albums it names.
 */
export function artistAlbumsEstimate(
  planner: Planner,
  reads: readonly GroupRead[],
): Estimate & { albumIds: readonly string[] } {
  const { ctx } = planner;
  const max = ctx.options.maxAlbumsPerArtist;
  const albumIds: string[] = [];
  if (max === 0) return { requests: {}, why: "check", albumIds: [] };
  let requests = 0;
  let checks = 0;
  let taken = 0;
  let why: Estimate["why"] = "check";
  for (const read of reads) {
    const groupMax = max - taken;
    if (groupMax <= 0) break;
    const listed = Math.min(read.known.length, groupMax);
    taken += listed;
    for (const e of read.known.slice(0, listed)) if (typeof e.object.id === "string") albumIds.push(e.object.id);
    if (read.mode === "check") {
      requests += 1;
      checks += 1;
    }
    if (read.mode !== "full") continue;
    const limit = Math.min(pageLimitFor(ctx, groupMax), groupMax);
    requests += Math.max(1, Math.ceil(listed / limit));
    const stale = read.known.some((e) => e.stale);
    why = read.known.length === 0 ? "new" : stale ? "deferred" : why === "new" ? why : "refresh";
  }
  return { requests: requests > 0 ? { "GET /artists/{id}/albums": requests } : {}, why, checks, albumIds };
}

/** The page size `AccessState.usePages` picks for `wanted` items, without asking. */
export function pageLimitFor(ctx: ExtractContext, wanted: number): number {
  if (wanted <= PAGE_LIMIT.development) return PAGE_LIMIT.development;
  return ctx.access.allowed("largePages") ? PAGE_LIMIT.large : PAGE_LIMIT.development;
}

/**
 * One artist's albums (simplified, newest first, at most `maxAlbumsPerArtist` per include group), one include group
 * at a time as `reads` says; every line records the group it was listed under (`_include_group`). Returns the album
 * ids that fit.
 */
export async function extractArtistAlbums(
  ctx: ExtractContext,
  artistId: string,
  reads: readonly GroupRead[],
  base: string | undefined,
): Promise<{ out: Collected; albumIds: string[] }> {
  const max = ctx.options.maxAlbumsPerArtist;
  const out = new Collected();
  const albumIds: string[] = [];
  if (max === 0) return { out, albumIds };
  const source = `artist:${artistId}`;
  /** Albums listed so far: `max` counts across the groups, in the config's order, as one combined listing did. */
  let taken = 0;
  const carry = (entries: readonly KnownEntry[]) => {
    for (const entry of entries) {
      out.addLine("artist_albums", carriedLine(entry, base ?? ""));
      if (typeof entry.object.id === "string") albumIds.push(entry.object.id);
    }
    taken += entries.length;
  };
  for (const { group, mode, known } of reads) {
    const groupMax = max - taken;
    if (groupMax <= 0) break;
    if (mode === "carry") {
      carry(known.slice(0, groupMax));
      continue;
    }
    const knownIds = new Set(mode === "check" ? known.map((e) => e.object.id) : []);
    const walk = (pageLimit: number) => async () => {
      const local = new Collected();
      const ids: string[] = [];
      const limit = Math.min(pageLimit, groupMax);
      const url = `/artists/${artistId}/albums?include_groups=${group}&market=${ctx.options.market}&limit=${limit}&offset=0`;
      let position = 0;
      let reachedKnown = false;
      for await (const page of followPages(ctx.client, { url }, { maxItems: groupMax })) {
        const fetchedAt = ctx.stamp();
        for (const item of page.items) {
          if (position >= groupMax) break;
          if (knownIds.has((item as { id?: unknown } | null)?.id)) {
            reachedKnown = true;
            break;
          }
          position++;
          const album = local.addChecked("artist_albums", SimplifiedAlbumSchema, item, {
            _fetched_at: fetchedAt,
            _source: source,
            _artist_id: artistId,
            _include_group: group,
          });
          if (album) ids.push(album.id);
        }
        if (reachedKnown) break;
      }
      return { local, ids, position };
    };
    const { local, ids, position } = await ctx.access.usePages(groupMax, walk);
    out.merge([local]);
    albumIds.push(...ids);
    taken += position;
    // The known albums follow the new ones, as far as the limit goes.
    if (mode === "check") {
      out.checked(position === 0);
      carry(known.slice(0, Math.max(0, groupMax - position)));
    }
  }
  return { out, albumIds };
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
