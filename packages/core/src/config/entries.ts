/**
 * Config entries that sources declare (packages/core/src/sources/): ids, searches and time ranges. A leaf module, so
 * source declarations can use them without importing the whole config schema.
 */
import * as v from "valibot";

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
