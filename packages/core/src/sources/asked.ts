/**
 * Whether a config asks a source for anything, by the convention every source's entries follow: an entry is off by
 * default (`false`, or an empty list) and asks for work when it is `true` or a non-empty list. The run summary's
 * empty-table notes and the stack (does this stage need a user refresh token?) both read it from here.
 */
import type { SourceDeclaration } from "./define-source.ts";
import { SOURCES } from "./index.ts";

/** A config entry asks for something: `true`, or a non-empty list. */
export const asks = (value: unknown): boolean => value === true || (Array.isArray(value) && value.length > 0);

/** The config's `sources` object, parsed or as written (a manifest's copy). */
export interface SourcesLike {
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

/** True when `sources` asks `source` for anything. */
export function isAskedFor(source: Pick<SourceDeclaration, "section" | "config">, sources: SourcesLike): boolean {
  const section = (source.section === "user" ? sources.user : sources) ?? {};
  return Object.keys(source.config).some((key) => asks((section as Record<string, unknown>)[key]));
}

/** True when `sources` asks any user source (one that needs SPOTIFY_REFRESH_TOKEN) for anything. */
export const asksForUserSources = (sources: SourcesLike): boolean =>
  SOURCES.some((source) => source.section === "user" && isAskedFor(source, sources));
