/**
 * Playlists: metadata always (GET /playlists/{id}); entries where this app may read them: the page embedded in the
 * metadata and its `next` links, or `/playlists/{id}/items` (2026; `/tracks` before) when the metadata carries only a
 * reference. Null entries (removed tracks), episodes and local files are kept as the data they are.
 */
import { SpotifyRequestError } from "../errors.ts";
import type { Estimate } from "../sources/define-source.ts";
import { NOT_MODIFIED } from "../spotify/client.ts";
import { followPages } from "../spotify/paging.ts";
import { PlaylistEntrySchema, PlaylistSchema } from "../spotify/schemas.ts";
import { PAGE_LIMIT } from "./access.ts";
import { Collected } from "./collected.ts";
import { type ExtractContext, getOne } from "./context.ts";
import { carriedLine, type KnownEntry } from "./known-objects.ts";

const UNAVAILABLE =
  "not available to this app (404): Spotify-owned and private playlists need extended quota or the owner's token";

function addEntries(out: Collected, playlistId: string, items: readonly unknown[], offset: number, fetchedAt: string) {
  const source = `playlist:${playlistId}`;
  items.forEach((item, i) => {
    out.addChecked("playlist_items", PlaylistEntrySchema, item, {
      _fetched_at: fetchedAt,
      _source: source,
      _playlist_id: playlistId,
      _position: offset + i,
    });
  });
}

const playlistUrl = (ctx: ExtractContext, playlistId: string) =>
  `/playlists/${playlistId}?market=${ctx.options.market}`;

/**
 * One playlist's metadata and, where allowed, its entries; `first`: the metadata already fetched (by a change check
 * that found it changed). The response's ETag is kept as `_etag`, for the next run's `If-None-Match`.
 */
export async function extractPlaylist(
  ctx: ExtractContext,
  playlistId: string,
  first?: { json: unknown; etag?: string },
): Promise<Collected> {
  const out = new Collected();
  const source = `playlist:${playlistId}`;
  let etag = first?.etag;
  const json = first
    ? first.json
    : await getOne(ctx, playlistUrl(ctx, playlistId), {
        onEtag: (value) => {
          etag = value;
        },
      });
  const fetchedAt = ctx.stamp();
  if (json === undefined) {
    out.reject("playlists", UNAVAILABLE, source, fetchedAt, { id: playlistId });
    return out;
  }
  const playlist = out.addChecked("playlists", PlaylistSchema, json, {
    _fetched_at: fetchedAt,
    _source: source,
    ...(etag ? { _etag: etag } : {}),
  });
  if (!playlist) return out;
  const entries = playlist.items ?? playlist.tracks;
  if (!entries) return out;

  const collect = async (first: { url: string } | { page: unknown }, user = false) => {
    const local = new Collected();
    for await (const page of followPages(ctx.client, first, { user })) {
      addEntries(local, playlistId, page.items, page.offset ?? 0, ctx.stamp());
    }
    return local;
  };
  if (Array.isArray(entries.items)) return out.merge([await collect({ page: entries })]);
  const url = new URL(entries.href);
  url.searchParams.set("limit", String(PAGE_LIMIT.large));
  url.searchParams.set("offset", "0");
  // Without extended access, a user's own (or collaborative) playlists still give their entries to that user's token.
  const asUser = async () => {
    if (!ctx.client.hasUserToken) {
      noteSkipped(ctx);
      return new Collected();
    }
    try {
      return await collect({ url: url.toString() }, true);
    } catch (error) {
      if (!(error instanceof SpotifyRequestError) || ![403, 404].includes(error.status)) throw error;
      noteSkipped(ctx);
      return new Collected();
    }
  };
  const local = await ctx.access.use("playlistItems", () => collect({ url: url.toString() }), asUser);
  return out.merge([local]);
}

function noteSkipped(ctx: ExtractContext): void {
  const note =
    "playlist entries: not readable with this app's access (only metadata was extracted; the entries of your own playlists need SPOTIFY_REFRESH_TOKEN from `tunelake auth`)";
  if (!ctx.skipped.includes(note)) ctx.skipped.push(note);
}

/**
 * What reading a playlist in full costs (for `tunelake plan`): its metadata, and the entry pages its known copy had
 * (an unknown playlist: the metadata only, a lower bound).
 */
export function playlistEstimate(ctx: ExtractContext, known: KnownEntry | undefined): Estimate {
  const requests: Record<string, number> = { "GET /playlists/{id}": 1 };
  if (!known) return { requests, why: "new" };
  const o = known.object as { items?: unknown; tracks?: unknown };
  const entries = (o.items ?? o.tracks) as
    | { items?: unknown[]; total?: number; next?: string | null; limit?: number; offset?: number; href?: string }
    | undefined;
  const why = known.stale ? "deferred" : "refresh";
  if (!entries) return { requests, why };
  const total = Number(entries.total ?? 0);
  const label = (url: string | undefined) => `GET /playlists/{id}/${url?.includes("/tracks") ? "tracks" : "items"}`;
  let pages = 0;
  let url: string | undefined;
  if (Array.isArray(entries.items)) {
    url = entries.next ?? undefined;
    const read = Number(entries.offset ?? 0) + entries.items.length;
    pages = url ? Math.ceil(Math.max(0, total - read) / Math.max(1, Number(entries.limit ?? PAGE_LIMIT.large))) : 0;
  } else if (ctx.access.allowed("playlistItems") || ctx.client.hasUserToken) {
    url = entries.href;
    pages = Math.max(1, Math.ceil(total / PAGE_LIMIT.large));
  }
  if (pages > 0) requests[label(url)] = pages;
  return { requests, why };
}

/** The fields of the daily change check: the version only. */
export const SNAPSHOT_FIELDS = "snapshot_id";

/**
 * The daily change check of a known playlist: with the ETag its last response carried, the metadata request with
 * `If-None-Match` (a 304 carries it forward; a 200 is the changed playlist, read on from there); without one,
 * `GET /playlists/{id}?fields=snapshot_id`: an unchanged snapshot carries the playlist and its entries forward, a
 * changed one (or a playlist gone) reads it again in full.
 */
export async function checkPlaylist(
  ctx: ExtractContext,
  playlistId: string,
  known: { playlist: KnownEntry; items: readonly KnownEntry[]; base: string },
): Promise<Collected> {
  const carry = () => {
    const out = new Collected();
    out.checked(true);
    out.addLine("playlists", carriedLine(known.playlist, known.base));
    for (const item of known.items) out.addLine("playlist_items", carriedLine(item, known.base));
    return out;
  };
  const knownEtag = known.playlist.object._etag;
  if (typeof knownEtag === "string" && knownEtag) {
    let etag: string | undefined;
    const json = await getOne(ctx, playlistUrl(ctx, playlistId), {
      ifNoneMatch: knownEtag,
      onEtag: (value) => {
        etag = value;
      },
    });
    if (json === NOT_MODIFIED) return carry();
    const changed = await extractPlaylist(ctx, playlistId, { json, etag });
    changed.checked(false);
    return changed;
  }
  const json = await getOne(ctx, `${playlistUrl(ctx, playlistId)}&fields=${SNAPSHOT_FIELDS}`);
  const snapshot = (json as { snapshot_id?: unknown } | undefined)?.snapshot_id;
  if (typeof snapshot !== "string" || snapshot !== known.playlist.object.snapshot_id) {
    const changed = await extractPlaylist(ctx, playlistId);
    changed.checked(false);
    return changed;
  }
  return carry();
}
