/**
 * valibot schemas for the Spotify objects tunelake reads, for both response shapes (pre-2026 `tracks`/`track`, 2026
 * `items`/`item`). Objects are checked by identity only (below): unknown fields pass (Spotify adds fields) and known
 * ones may be missing, null or of another type (Spotify removes and reshapes fields without notice). Pages are
 * checked as envelopes only; each item is validated on its own so one bad item is rejected, not the whole page.
 */
import * as v from "valibot";

const nullishNumber = v.nullish(v.number());

export const ImageSchema = v.looseObject({ url: v.string(), height: nullishNumber, width: nullishNumber });

/** A paging object; `items` are validated one by one with the item's own schema. */
export const PagingSchema = v.looseObject({
  href: v.string(),
  items: v.array(v.unknown()),
  limit: v.number(),
  next: v.nullable(v.string()),
  offset: v.optional(v.number()),
  total: v.optional(v.number()),
});
export type Paging = v.InferOutput<typeof PagingSchema>;

/**
 * Validation by identity (see docs/tables.md): an object is rejected only when it cannot be identified or placed:
 * not an object, no string `id`, or a `type` that is not its entity's. Every other field is kept as Spotify sent it,
 * whatever its presence or type, and the transform reads a missing, null or mistyped field as NULL.
 */
const identified = <T extends string>(type: T) => ({ id: v.string(), type: v.nullish(v.literal(type)) }) as const;

/** A field the extractor reads only to follow pages: a malformed one is dropped (the object itself is kept). */
const optionalOrDropped = <S extends v.GenericSchema>(schema: S) => v.fallback(v.optional(schema), undefined);

export const SimplifiedArtistSchema = v.looseObject(identified("artist"));
export type SimplifiedArtist = v.InferOutput<typeof SimplifiedArtistSchema>;

export const ArtistSchema = SimplifiedArtistSchema;
export type Artist = v.InferOutput<typeof ArtistSchema>;

export const ReleaseDatePrecisionSchema = v.picklist(["year", "month", "day"]);

export const SimplifiedAlbumSchema = v.looseObject(identified("album"));
export type SimplifiedAlbum = v.InferOutput<typeof SimplifiedAlbumSchema>;

/** AlbumObject: its embedded `tracks` page is followed when it is a page, else only the album is kept. */
export const AlbumSchema = v.looseObject({ ...identified("album"), tracks: optionalOrDropped(PagingSchema) });
export type Album = v.InferOutput<typeof AlbumSchema>;

export const SimplifiedTrackSchema = v.looseObject(identified("track"));
export type SimplifiedTrack = v.InferOutput<typeof SimplifiedTrackSchema>;

export const TrackSchema = SimplifiedTrackSchema;
export type Track = v.InferOutput<typeof TrackSchema>;

/** A local file in a playlist: no Spotify id, so only what identifies the file is required. */
export const LocalTrackSchema = v.looseObject({
  id: v.null(),
  is_local: v.literal(true),
  name: v.string(),
  uri: v.string(),
  type: v.literal("track"),
});
export type LocalTrack = v.InferOutput<typeof LocalTrackSchema>;

export const EpisodeSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  type: v.literal("episode"),
  duration_ms: v.number(),
  uri: v.string(),
});
export type Episode = v.InferOutput<typeof EpisodeSchema>;

const PlaylistItemSchema = v.nullable(v.union([TrackSchema, LocalTrackSchema, EpisodeSchema]));

/** A playlist entry; the entry's object is `track` before 2026 and `item` since. A null object is a removed track. */
export const PlaylistEntrySchema = v.pipe(
  v.looseObject({
    track: v.optional(PlaylistItemSchema),
    item: v.optional(PlaylistItemSchema),
  }),
  v.check((entry) => "track" in entry || "item" in entry, "a playlist entry has neither `item` nor `track`"),
);
export type PlaylistEntry = v.InferOutput<typeof PlaylistEntrySchema>;

/** The embedded entries of playlist metadata: a full page, or only `href`/`total` when entries are not readable. */
const PlaylistEntriesRefSchema = v.looseObject({
  href: v.string(),
  total: v.optional(v.number()),
  items: v.optional(v.array(v.unknown())),
  next: v.nullish(v.string()),
  limit: v.optional(v.number()),
  offset: v.optional(v.number()),
});

/** PlaylistObject: its entries (`items` 2026, `tracks` before) are followed when they are a page reference. */
export const PlaylistSchema = v.looseObject({
  ...identified("playlist"),
  tracks: optionalOrDropped(PlaylistEntriesRefSchema),
  items: optionalOrDropped(PlaylistEntriesRefSchema),
});
export type Playlist = v.InferOutput<typeof PlaylistSchema>;

/** A playlist as it appears in search results. */
export const SimplifiedPlaylistSchema = v.looseObject(identified("playlist"));

/** A play is identified by when it happened and what was played. */
export const PlayHistorySchema = v.looseObject({
  track: TrackSchema,
  played_at: v.pipe(v.string(), v.isoTimestamp("played_at is an ISO timestamp")),
});
export type PlayHistory = v.InferOutput<typeof PlayHistorySchema>;

/** The item schema of each search type (search pages are keyed by the plural, e.g. `albums`). */
export const SEARCH_ITEM_SCHEMAS = {
  album: SimplifiedAlbumSchema,
  artist: ArtistSchema,
  track: TrackSchema,
  playlist: SimplifiedPlaylistSchema,
} as const;

export const TokenResponseSchema = v.looseObject({
  access_token: v.string(),
  token_type: v.string(),
  expires_in: v.number(),
  refresh_token: v.optional(v.string()),
  scope: v.optional(v.string()),
});
export type TokenResponse = v.InferOutput<typeof TokenResponseSchema>;

/** Spotify's error body. */
export const ErrorBodySchema = v.looseObject({
  error: v.looseObject({
    status: v.optional(v.number()),
    message: v.optional(v.string()),
    reason: v.optional(v.string()),
  }),
});

/** Checks `input` against `schema`; returns the issues as one line of text when it does not fit. */
export function checkItem<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; reason: string } {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const reason = result.issues
    .slice(0, 3)
    .map((issue) => {
      const where = (issue.path ?? []).map((p) => String(p.key)).join(".");
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join("; ");
  return { ok: false, reason };
}
