/**
 * `tunelake.config.json`: what to extract and how. Validated with valibot; unknown keys are errors so that a typo
 * never silently disables a source. The README's configuration section is the contract for
 * `sources.{artists,albums,tracks,playlists,searches}`.
 */
import * as v from "valibot";
import { DEFAULT_MAX_RESPONSE_BYTES, MAX_MAX_RESPONSE_BYTES } from "../spotify/bounded-body.ts";

/** A Spotify id: 22 base-62 characters. */
export const SpotifyIdSchema = v.pipe(
  v.string(),
  v.regex(/^[0-9A-Za-z]{22}$/, (issue) => `"${String(issue.input)}" is not a Spotify id (22 letters and digits)`),
);

export const SearchTypeSchema = v.picklist(["album", "artist", "track", "playlist"]);

export const SearchSourceSchema = v.strictObject({
  query: v.pipe(v.string(), v.trim(), v.minLength(1, "a search needs a non-empty query")),
  type: SearchTypeSchema,
  /** How many results to keep (the development profile pages 10 at a time, offset <= 1000). */
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), 50),
  market: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, "market is an ISO 3166-1 alpha-2 code, e.g. US"))),
});
export type SearchSource = v.InferOutput<typeof SearchSourceSchema>;

export const TimeRangeSchema = v.picklist(["short_term", "medium_term", "long_term"]);

/** Sources that need a user's refresh token (SPOTIFY_REFRESH_TOKEN). */
export const UserSourcesSchema = v.strictObject({
  recentlyPlayed: v.optional(v.boolean(), false),
  topTracks: v.optional(v.array(TimeRangeSchema), []),
  topArtists: v.optional(v.array(TimeRangeSchema), []),
});

export const SourcesSchema = v.strictObject({
  artists: v.optional(v.array(SpotifyIdSchema), []),
  albums: v.optional(v.array(SpotifyIdSchema), []),
  tracks: v.optional(v.array(SpotifyIdSchema), []),
  playlists: v.optional(v.array(SpotifyIdSchema), []),
  searches: v.optional(v.array(SearchSourceSchema), []),
  user: v.optional(UserSourcesSchema, {}),
});
export type Sources = v.InferOutput<typeof SourcesSchema>;

export const AccessProfileSchema = v.picklist(["auto", "development", "extended"]);
export type AccessProfile = v.InferOutput<typeof AccessProfileSchema>;

/**
 * The longest wait a config may ask for (two days: Spotify's quota Retry-After is about one). Every timer setting has
 * a ceiling, so `1e400` (Infinity once parsed) or a typo of a few zeros is a ConfigError, not a run that never ends;
 * sleepRetryAfterSeconds and requestTimeoutSeconds stop at 900, a Lambda's whole lifetime.
 */
export const MAX_WAIT_SECONDS = 172_800;

export const ExtractOptionsSchema = v.strictObject({
  /** `auto` tries batch endpoints and playlist entries, and falls back once Spotify refuses them. */
  accessProfile: v.optional(AccessProfileSchema, "auto"),
  /** ISO country for market-dependent endpoints. */
  market: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, "market is an ISO 3166-1 alpha-2 code, e.g. US")), "US"),
  /** Album groups fetched for each artist. */
  includeGroups: v.optional(v.array(v.picklist(["album", "single", "appears_on", "compilation"])), ["album", "single"]),
  /** At most this many albums per artist (newest first as Spotify returns them). */
  maxAlbumsPerArtist: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000)), 50),
  /** Requests in flight at once. */
  concurrency: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64)), 8),
  /** The longest Retry-After one request will wait; above it the run stops with SpotifyQuotaExceededError. */
  maxRetryAfterSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_WAIT_SECONDS)), 120),
  /**
   * Retry-After up to this many seconds is slept through inside the extract; a longer one (up to maxRetryAfterSeconds)
   * ends the time slice and the state machine's Wait state waits instead (time-sliced runs only).
   */
  sleepRetryAfterSeconds: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(900)), 10),
  /** The extract writes its checkpoint after this many requests, so a crash repeats at most about this many. */
  checkpointEveryRequests: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(100_000)), 25),
  /** Retries of one request on 429, 5xx and network errors. */
  maxRetries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(20)), 6),
  /** Per-request timeout. */
  requestTimeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(900)), 30),
  /**
   * Ceiling of one API response body in bytes, counted after decompression; a larger body stops the run with
   * SpotifyResponseTooLargeError naming the URL (default 16 MiB, at most 256 MiB).
   */
  maxResponseBytes: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(65_536), v.maxValue(MAX_MAX_RESPONSE_BYTES)),
    DEFAULT_MAX_RESPONSE_BYTES,
  ),
});
export type ExtractOptions = v.InferOutput<typeof ExtractOptionsSchema>;

export const ConfigSchema = v.strictObject({
  $schema: v.optional(v.string()),
  sources: SourcesSchema,
  extract: v.optional(ExtractOptionsSchema, {}),
});
export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigInput = v.InferInput<typeof ConfigSchema>;
