/**
 * After a run: why a table came out empty, when the date's manifest knows (the config asks for none of the sources
 * the table is built from, the user sources had no user token, Spotify refused an endpoint to this app), as notes
 * printed once, dim, under the row table. Which sources build which table comes from the registries
 * (packages/core/src/sources, packages/core/src/tables).
 */
import { manifestKey } from "@tunelake/core/lake";
import type { ObjectStore } from "@tunelake/core/ports";
import { asks, isAskedFor } from "@tunelake/core/sources/asked";
import type { SourceDeclaration } from "@tunelake/core/sources/define-source";

type Source = Pick<SourceDeclaration, "section" | "config">;

import { sourcesOfTable } from "@tunelake/core/tables/index";
import { wrap } from "../wrap.ts";

/** The manifest fields the reasons are read from (manifest.ts writes them). */
export interface ManifestFacts {
  /** The config's `sources` as the run read it. */
  sources?: Record<string, unknown> & { user?: Record<string, unknown> };
  capabilities?: { playlistItems?: string };
  skipped?: string[];
  accessProfile?: string;
}

/** The date's manifest (undefined when it cannot be read). */
export async function readManifestFacts(raw: ObjectStore, date: string): Promise<ManifestFacts | undefined> {
  const body = await raw.get(manifestKey(date)).catch(() => undefined);
  if (!body) return undefined;
  try {
    return JSON.parse(body.toString("utf8")) as ManifestFacts;
  } catch {
    return undefined;
  }
}

const NO_USER_TOKEN = "SPOTIFY_REFRESH_TOKEN";

const configPath = (source: Source): string =>
  Object.keys(source.config)
    .map((key) => (source.section === "user" ? `sources.user.${key}` : `sources.${key}`))
    .join(", ");

/** Why `table` is empty according to `manifest`; `notAskedFor` when the config asked for none of its sources. */
export function emptyReason(
  table: string,
  manifest: ManifestFacts,
): { reason: string; notAskedFor: boolean } | undefined {
  const sources = sourcesOfTable(table);
  if (sources.length === 0 || !manifest.sources) return undefined;
  const asked = sources.filter((source) => isAskedFor(source, manifest.sources ?? {}));
  if (asked.length === 0) {
    const userOnly = sources.every((source) => source.section === "user");
    const noUserSource = !Object.values(manifest.sources.user ?? {}).some(asks);
    return {
      // With no user source at all, one reason covers every user table.
      reason:
        userOnly && noUserSource
          ? "the config asks for no user source (sources.user)"
          : `the config asks for none of its sources (${sources.map(configPath).join("; ")})`,
      notAskedFor: true,
    };
  }
  const noToken = manifest.skipped?.some((s) => s.startsWith("user sources") && s.includes(NO_USER_TOKEN));
  if (noToken && asked.every((source) => source.section === "user")) {
    return { reason: "no user token (SPOTIFY_REFRESH_TOKEN; npx tunelake auth gets one)", notAskedFor: false };
  }
  // The one refusal the manifest records: the entries of other people's playlists (development access).
  if (table === "playlist_items" && manifest.capabilities?.playlistItems === "no") {
    const profile = manifest.accessProfile ? ` (${manifest.accessProfile} access profile)` : "";
    return {
      reason: `Spotify refused the playlists' entries to this app${profile}; your own playlists' entries need SPOTIFY_REFRESH_TOKEN`,
      notAskedFor: false,
    };
  }
  return undefined;
}

export interface EmptyTables {
  /** One note per reason, naming its tables, wrapped to the width. */
  notes: string[];
  /** Empty tables the config did not ask for: the note names them, so the row table can leave them out. */
  notAskedFor: Set<string>;
}

/** Explains the empty tables of a run (rows and rejects both 0). */
export function explainEmptyTables(
  tables: readonly { table: string; rows: number; rejects?: number }[],
  manifest: ManifestFacts | undefined,
  width: number,
): EmptyTables {
  const notAskedFor = new Set<string>();
  if (!manifest) return { notes: [], notAskedFor };
  const byReason = new Map<string, string[]>();
  for (const { table, rows, rejects } of tables) {
    if (rows > 0 || (rejects ?? 0) > 0) continue;
    const why = emptyReason(table, manifest);
    if (!why) continue;
    if (why.notAskedFor) notAskedFor.add(table);
    byReason.set(why.reason, [...(byReason.get(why.reason) ?? []), table]);
  }
  const notes = [...byReason].flatMap(([reason, names]) => wrap(`${names.join(", ")}: empty, ${reason}.`, width, "  "));
  return { notes, notAskedFor };
}
