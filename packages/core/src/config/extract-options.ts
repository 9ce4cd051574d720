/** The `extract` section of `tunelake.config.json`: how to extract (see config/schema.ts). */
import * as v from "valibot";
import { DEFAULT_MAX_RESPONSE_BYTES, MAX_MAX_RESPONSE_BYTES } from "../spotify/bounded-body.ts";
import { QUOTA_BUCKETS, type QuotaBucket } from "../spotify/quota-buckets.ts";

export const AccessProfileSchema = v.picklist(["auto", "development", "extended"]);
export type AccessProfile = v.InferOutput<typeof AccessProfileSchema>;

/**
 * The longest wait a config may ask for (two days: Spotify's quota Retry-After is about one). Every timer setting has
 * a ceiling, so `1e400` (Infinity once parsed) or a typo of a few zeros is a ConfigError, not a run that never ends;
 * sleepRetryAfterSeconds and requestTimeoutSeconds stop at 900, a Lambda's whole lifetime.
 */
export const MAX_WAIT_SECONDS = 172_800;

/** A refresh period in days: 1 is every run, 30 about once a month (at most a year). */
const period = (days: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(366)), days);

/**
 * How often each kind of object is fetched again although the last known one is at hand (docs/tables.md,
 * "Incremental runs"): each object on its own day of the period (a stable hash of its id), so the same share is due
 * every day, and at once when it is older than its period or was carried forward stale.
 */
export const RefreshSchema = v.strictObject({
  /** Artist profiles. */
  artists: period(14),
  /**
   * An artist's whole album list per include group, read again in full (`appears_on`, which Spotify does not order by
   * date, has only this).
   */
  artistAlbums: period(30),
  /**
   * The change check of an artist's ordered include groups (album, single, compilation): their first page, read down
   * to the first album already known, so a new release shows up within this many days.
   */
  artistAlbumsCheck: period(3),
  /** Full albums and their tracks (they do not change once released). */
  albums: period(30),
  /** Configured tracks. */
  tracks: period(30),
  /**
   * Playlists' metadata and entries. In between, one `snapshot_id` check a day: the entries are listed again only when
   * the snapshot changed.
   */
  playlists: period(7),
});
export type RefreshPeriods = v.InferOutput<typeof RefreshSchema>;

/** A per-day cap of requests in one of Spotify's quota buckets (spotify/quota-buckets.ts). */
const BucketBudgetSchema = v.strictObject({
  maxRequestsPerDay: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10_000_000)),
});

export const QuotaSchema = v.strictObject(
  Object.fromEntries(QUOTA_BUCKETS.map((bucket) => [bucket, v.optional(BucketBudgetSchema)])) as Record<
    QuotaBucket,
    v.OptionalSchema<typeof BucketBudgetSchema, undefined>
  >,
);

export const ExtractOptionsSchema = v.strictObject({
  /** `auto` tries batch endpoints and playlist entries, and falls back once Spotify refuses them. */
  accessProfile: v.optional(AccessProfileSchema, "auto"),
  /** ISO country for market-dependent endpoints. */
  market: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, "market is an ISO 3166-1 alpha-2 code, e.g. US")), "US"),
  /** Album groups fetched for each artist. */
  includeGroups: v.optional(v.array(v.picklist(["album", "single", "appears_on", "compilation"])), ["album", "single"]),
  /** At most this many albums per artist, over its include groups in this order (newest first within each). */
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
  /** Refresh periods in days per kind of object (see RefreshSchema). */
  refresh: v.optional(RefreshSchema, {}),
  /**
   * Per-bucket request caps per run date, e.g. `{ "artist-albums": { "maxRequestsPerDay": 500 } }`. A bucket that
   * reaches its cap, or answers QUOTA_EXCEEDED with a Retry-After above maxRetryAfterSeconds, stops only the work that
   * needs it: that work is carried forward from the last known objects and marked stale, and the run completes.
   */
  quota: v.optional(QuotaSchema, {}),
});
export type ExtractOptions = v.InferOutput<typeof ExtractOptionsSchema>;
