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

export const ConfigSchema = v.strictObject({
  $schema: v.optional(v.string()),
  sources: SourcesSchema,
  extract: v.optional(ExtractOptionsSchema, {}),
});
export type Config = v.InferOutput<typeof ConfigSchema>;
export type ConfigInput = v.InferInput<typeof ConfigSchema>;
