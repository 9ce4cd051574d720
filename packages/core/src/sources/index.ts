/**
 * The registry of Spotify sources: the one list the raw entities and their columns, the config's `sources` entries,
 * the scopes `tunelake auth` asks for, the staging models' branches and the sample API's routes are derived from.
 * A new source is a new file here and one line below.
 */
import * as v from "valibot";
import { albums } from "./albums.ts";
import { artists } from "./artists.ts";
import type { FedModel, Feed, RawDeclaration, SourceDeclaration } from "./define-source.ts";
import { followedArtists } from "./followed-artists.ts";
import { playlists } from "./playlists.ts";
import { recentlyPlayed } from "./recently-played.ts";
import { savedAlbums } from "./saved-albums.ts";
import { savedTracks } from "./saved-tracks.ts";
import { searches } from "./searches.ts";
import { topItems } from "./top-items.ts";
import { tracks } from "./tracks.ts";

/** Every source, in the order the extract plans them (and the raw entities are listed). */
export const SOURCES = [
  artists,
  albums,
  tracks,
  playlists,
  searches,
  recentlyPlayed,
  topItems,
  savedTracks,
  savedAlbums,
  followedArtists,
] as const;

type Source = (typeof SOURCES)[number];
export type RawEntityName = Source["raw"][number]["entity"];

/** Every raw entity a source writes, in registry order. */
export const RAW_DECLARATIONS: readonly RawDeclaration<RawEntityName>[] = SOURCES.flatMap(
  (s): readonly RawDeclaration<RawEntityName>[] => s.raw,
);

/** The branches of a staging model, from every source that feeds it, with their priority number resolved by name. */
export function feedsOf(model: FedModel): Feed[] {
  return SOURCES.flatMap((s): readonly Feed[] => s.feeds ?? []).filter((f) => f.model === model);
}

/** The OAuth scopes of the user sources (`tunelake auth` asks for all of them). */
export const USER_SCOPES: readonly string[] = [
  ...new Set(SOURCES.flatMap((s): string[] => (s.section === "user" && s.scope ? [s.scope] : []))),
];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type EntriesOf<Section> = UnionToIntersection<
  Source extends infer S ? (S extends { section: Section; config: infer E } ? E : never) : never
>;

const entries = <Section extends "catalog" | "user">(section: Section): EntriesOf<Section> =>
  Object.assign({}, ...SOURCES.filter((s) => s.section === section).map((s) => s.config));

/** The config's `sources.user` object: every user source's entries. */
export const UserSourcesSchema = v.strictObject(entries("user"));

/** The config's `sources` object: every catalog source's entries, and `user`. */
export const SourcesSchema = v.strictObject({ ...entries("catalog"), user: v.optional(UserSourcesSchema, {}) });
export type Sources = v.InferOutput<typeof SourcesSchema>;

/** The `sources.user` entries that switch every user source on (the sample runs and the test suite use them). */
export function exampleUserSources(): Record<string, unknown> {
  return Object.assign({}, ...SOURCES.filter((s) => s.section === "user").map((s) => s.example ?? {}));
}

/** The curated tables sources declare as their own (`tables`), in registry order. */
export const SOURCE_TABLES: readonly NonNullable<Source["tables"]>[number][] = SOURCES.flatMap(
  (s): readonly NonNullable<Source["tables"]>[number][] => s.tables ?? [],
);

/** A source's config entries as they are in a parsed config. */
export function entriesOf(
  source: Pick<SourceDeclaration, "section" | "config">,
  sources: Sources,
): Record<string, unknown> {
  const from = (source.section === "user" ? sources.user : sources) as Record<string, unknown>;
  return Object.fromEntries(Object.keys(source.config).map((key) => [key, from[key]]));
}
