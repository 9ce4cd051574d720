/**
 * valibot schemas for the Spotify objects tunelake reads, for both response shapes (pre-2026 `tracks`/`track`, 2026
 * `items`/`item`). They are loose: extra fields pass (Spotify adds fields), and fields Spotify removed for
 * development-mode apps (popularity, followers, genres, label, available_markets, ...) are optional. Pages are
 * checked as envelopes only; each item is validated on its own so one bad item is rejected, not the whole page.
 */
import * as v from "valibot";

const nullishString = v.nullish(v.string());
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

export const SimplifiedArtistSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  type: v.literal("artist"),
  uri: v.string(),
});
export type SimplifiedArtist = v.InferOutput<typeof SimplifiedArtistSchema>;

export const ArtistSchema = v.looseObject({
  ...SimplifiedArtistSchema.entries,
  images: v.optional(v.array(ImageSchema)),
  genres: v.nullish(v.array(v.string())),
  popularity: nullishNumber,
  followers: v.nullish(v.looseObject({ total: nullishNumber })),
});
export type Artist = v.InferOutput<typeof ArtistSchema>;

export const ReleaseDatePrecisionSchema = v.picklist(["year", "month", "day"]);

export const SimplifiedAlbumSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  album_type: v.string(),
  total_tracks: v.number(),
  release_date: v.pipe(v.string(), v.regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, "release_date is YYYY, YYYY-MM or YYYY-MM-DD")),
  release_date_precision: ReleaseDatePrecisionSchema,
  artists: v.array(SimplifiedArtistSchema),
  images: v.optional(v.array(ImageSchema)),
  album_group: v.optional(v.string()),
  available_markets: v.optional(v.array(v.string())),
});
export type SimplifiedAlbum = v.InferOutput<typeof SimplifiedAlbumSchema>;

export const AlbumSchema = v.looseObject({
  ...SimplifiedAlbumSchema.entries,
  tracks: PagingSchema,
  label: nullishString,
  popularity: nullishNumber,
  external_ids: v.nullish(v.looseObject({ upc: v.optional(v.string()) })),
  genres: v.nullish(v.array(v.string())),
});
export type Album = v.InferOutput<typeof AlbumSchema>;

export const SimplifiedTrackSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  type: v.literal("track"),
  duration_ms: v.number(),
  explicit: v.boolean(),
  disc_number: v.number(),
  track_number: v.number(),
  is_local: v.optional(v.boolean()),
  artists: v.array(SimplifiedArtistSchema),
});
export type SimplifiedTrack = v.InferOutput<typeof SimplifiedTrackSchema>;

export const TrackSchema = v.looseObject({
  ...SimplifiedTrackSchema.entries,
  album: SimplifiedAlbumSchema,
  popularity: nullishNumber,
  external_ids: v.nullish(v.looseObject({ isrc: v.optional(v.string()) })),
});
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
    added_at: nullishString,
    added_by: v.nullish(v.looseObject({ id: v.string() })),
    is_local: v.optional(v.boolean()),
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

export const PlaylistSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  type: v.literal("playlist"),
  snapshot_id: v.string(),
  collaborative: v.optional(v.boolean()),
  public: v.nullish(v.boolean()),
  owner: v.looseObject({ id: v.string(), display_name: nullishString }),
  description: nullishString,
  images: v.nullish(v.array(ImageSchema)),
  followers: v.nullish(v.looseObject({ total: nullishNumber })),
  tracks: v.optional(PlaylistEntriesRefSchema),
  items: v.optional(PlaylistEntriesRefSchema),
});
export type Playlist = v.InferOutput<typeof PlaylistSchema>;

/** A playlist as it appears in search results: no entries needed, but every field the transform reads is checked. */
export const SimplifiedPlaylistSchema = v.looseObject({
  id: v.string(),
  name: v.string(),
  type: v.literal("playlist"),
  owner: v.looseObject({ id: v.string(), display_name: nullishString }),
  snapshot_id: nullishString,
  description: nullishString,
  collaborative: v.nullish(v.boolean()),
  public: v.nullish(v.boolean()),
  images: v.nullish(v.array(ImageSchema)),
  followers: v.nullish(v.looseObject({ total: nullishNumber })),
  tracks: v.nullish(PlaylistEntriesRefSchema),
  items: v.nullish(PlaylistEntriesRefSchema),
});

export const PlayHistorySchema = v.looseObject({
  track: TrackSchema,
  played_at: v.pipe(v.string(), v.isoTimestamp("played_at is an ISO timestamp")),
  context: v.nullish(v.looseObject({ uri: v.string() })),
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
