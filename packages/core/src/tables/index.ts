/**
 * The registry of curated tables: the one list every other list is derived from (the lake's table and transform
 * lists, the transform's order, the checks SQL, Glue tables, IAM prefixes, Snowflake DDL, docs/tables.md). A new
 * table is a new file here and one line below.
 */

import { UnknownDeclarationError } from "../errors.ts";
import type { SourceDeclaration } from "../sources/define-source.ts";
import { SOURCE_TABLES, SOURCES } from "../sources/index.ts";
import { albumArtists } from "./album-artists.ts";
import { albums } from "./albums.ts";
import { artists } from "./artists.ts";
import { rejectedBy, renderModel, type TableDeclaration } from "./define-table.ts";
import { playlistItems } from "./playlist-items.ts";
import { playlists } from "./playlists.ts";
import { plays } from "./plays.ts";
import { searchResults } from "./search-results.ts";
import { STAGING_MODELS } from "./staging.ts";
import { topItems } from "./top-items.ts";
import { trackArtists } from "./track-artists.ts";
import { tracks } from "./tracks.ts";

/** The curated tables read from several sources, in lake order; a source's own tables follow (SOURCE_TABLES). */
const SHARED_TABLES = [
  artists,
  albums,
  albumArtists,
  tracks,
  trackArtists,
  playlists,
  playlistItems,
  searchResults,
  plays,
  topItems,
] as const;

/** Every curated table, in lake order (the order of docs/tables.md and of the checks). */
export const TABLES: readonly ((typeof SHARED_TABLES)[number] | (typeof SOURCE_TABLES)[number])[] = [
  ...SHARED_TABLES,
  ...SOURCE_TABLES,
];

export type TableName = (typeof TABLES)[number]["name"];
export type TransformName = (typeof TABLES)[number]["transform"];

const BY_NAME = new Map<string, TableDeclaration>(TABLES.map((t) => [t.name, t]));

/** A curated table's declaration. */
export function tableDeclaration(name: string): TableDeclaration {
  const table = BY_NAME.get(name);
  if (!table) {
    throw new UnknownDeclarationError({ kind: "curated table", name, declaredIn: "packages/core/src/tables/index.ts" });
  }
  return table;
}

/** The transform entities (one Transform Lambda invocation each) and the tables each writes, in lake order. */
export function transformEntities(): Record<TransformName, TableName[]> {
  const out = {} as Record<TransformName, TableName[]>;
  for (const table of TABLES) {
    out[table.transform] = [...(out[table.transform] ?? []), table.name];
  }
  return out;
}

/** A table's model SQL and what it refs. */
export function tableModel(name: string): { sql: string; refs: string[] } {
  const table = tableDeclaration(name);
  return renderModel(table.model, table.key.join(", "));
}

/** The names of the staging models. */
export const STAGING_NAMES: readonly string[] = Object.keys(STAGING_MODELS);

/** A staging model's SQL, what it refs and how it is stored, or undefined when `name` is not a staging model. */
export function stagingModel(
  name: string,
): { sql: string; refs: string[]; materialized: "view" | "table" } | undefined {
  const model = STAGING_MODELS[name];
  if (!model) return undefined;
  return { ...renderModel(model.model), materialized: model.materialized };
}

/** The query that lists a table's rejects: the raw row as read plus `_reason`, or undefined when it has no rules. */
export function rejectsModel(name: string): { sql: string; refs: string[] } | undefined {
  const spec = tableDeclaration(name).rejects;
  if (!spec) return undefined;
  const reason = `CASE ${spec.rules.map((rule) => `WHEN coalesce(${rule.when("r")}, false) THEN '${rule.reason}'`).join(" ")} END`;
  return {
    sql: `SELECT r.*, ${reason} AS _reason FROM ${spec.from} r WHERE ${rejectedBy(spec, "r")}`,
    refs: [spec.from],
  };
}

/**
 * Every name a table reads, directly or through staging models (`raw_*` included), following each model's refs.
 */
export function refsOf(names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (refs: readonly string[]): void => {
    for (const ref of refs) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      const staging = stagingModel(ref);
      if (staging) visit(staging.refs);
    }
  };
  for (const name of names) {
    visit(tableModel(name).refs);
    visit(rejectsModel(name)?.refs ?? []);
  }
  return seen;
}

/**
 * The sources a table is built from: those whose raw entities it reads, directly or through the staging models (a
 * table of artists is built from every source that carries artists). When the config asks for none of them, the table
 * is one the config did not ask for.
 */
export function sourcesOfTable(name: string): Pick<SourceDeclaration, "name" | "section" | "config">[] {
  const raw = new Set(
    [...refsOf([name])].filter((ref) => ref.startsWith("raw_")).map((ref) => ref.slice("raw_".length)),
  );
  return SOURCES.filter((source) => source.raw.some((r) => raw.has(r.entity)));
}
