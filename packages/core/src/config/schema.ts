/**
 * `tunelake.config.json`: what to extract and how. Validated with valibot; unknown keys are errors so that a typo
 * never silently disables a source. The README's configuration section is the contract for
 * `sources.{artists,albums,tracks,playlists,searches}`.
 */
import * as v from "valibot";
import { SourcesSchema } from "../sources/index.ts";
import { ExtractOptionsSchema } from "./extract-options.ts";

/** The `sources` entries are declared by the sources (packages/core/src/sources/). */
export { type Sources, SourcesSchema, UserSourcesSchema } from "../sources/index.ts";
export {
  type SearchSource,
  SearchSourceSchema,
  SearchTypeSchema,
  SpotifyIdSchema,
  TimeRangeSchema,
} from "./entries.ts";
export {
  type AccessProfile,
  AccessProfileSchema,
  type ExtractOptions,
  ExtractOptionsSchema,
  MAX_WAIT_SECONDS,
} from "./extract-options.ts";

/**
 * Validate's freshness tolerance by default, in days: above the longest default refresh period (albums, 30 days), so
 * only objects carried forward stale (or refresh periods set longer) fail it.
 */
export const DEFAULT_FRESHNESS_TOLERANCE_DAYS = 45;
/** The longest freshness tolerance: ten years (a longer one would never fail). */
export const MAX_FRESHNESS_TOLERANCE_DAYS = 3660;

/** The Validate stage's settings. */
export const ValidateOptionsSchema = v.strictObject({
  /**
   * Days a snapshot row's `_fetched_at` may lie before its run date before Validate's
   * `<table>_fetched_within_tolerance` check fails it (an object carried forward stale for that long).
   */
  freshnessToleranceDays: v.optional(
    v.pipe(
      v.number(),
      v.integer("must be a whole number of days"),
      v.minValue(1, "must be at least 1 day"),
      v.maxValue(MAX_FRESHNESS_TOLERANCE_DAYS, `must be at most ${MAX_FRESHNESS_TOLERANCE_DAYS} days`),
    ),
    DEFAULT_FRESHNESS_TOLERANCE_DAYS,
  ),
});
export type ValidateOptions = v.InferOutput<typeof ValidateOptionsSchema>;

export const ConfigSchema = v.strictObject({
  $schema: v.optional(v.string()),
  sources: SourcesSchema,
  extract: v.optional(ExtractOptionsSchema, {}),
  validate: v.optional(ValidateOptionsSchema, {}),
});
export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigInput = v.InferInput<typeof ConfigSchema>;
