/**
 * After a run: why a table came out empty, when the date's manifest knows (the user sources are off in the config or
 * had no user token; Spotify refused an endpoint to this app), as notes printed once, dim, under the row table.
 */
import { manifestKey } from "@tunelake/core/lake";
import type { ObjectStore } from "@tunelake/core/ports";
import { wrap } from "../wrap.ts";

/** The manifest fields the reasons are read from (manifest.ts writes them). */
export interface ManifestFacts {
  sources?: {
    playlists?: string[];
    user?: { recentlyPlayed?: boolean; topTracks?: string[]; topArtists?: string[] };
  };
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

/** Why `table` is empty according to `manifest`, or undefined when the manifest does not say. */
export function emptyReason(table: string, manifest: ManifestFacts): string | undefined {
  const user = manifest.sources?.user ?? {};
  const noToken = manifest.skipped?.some((s) => s.startsWith("user sources") && s.includes(NO_USER_TOKEN));
  const wantsNone = !user.recentlyPlayed && (user.topTracks?.length ?? 0) + (user.topArtists?.length ?? 0) === 0;
  switch (table) {
    case "plays":
    case "top_items":
      // The shipped config asks for no user source: one reason for both tables.
      if (wantsNone) return "the config asks for no user source (sources.user)";
      break;
    default:
      break;
  }
  switch (table) {
    case "plays":
      if (!user.recentlyPlayed) return "sources.user.recentlyPlayed is off in the config";
      if (noToken) return "no user token (SPOTIFY_REFRESH_TOKEN; npx tunelake auth gets one)";
      return undefined;
    case "top_items":
      if ((user.topTracks?.length ?? 0) + (user.topArtists?.length ?? 0) === 0) {
        return "no sources.user.topTracks or topArtists in the config";
      }
      if (noToken) return "no user token (SPOTIFY_REFRESH_TOKEN; npx tunelake auth gets one)";
      return undefined;
    case "playlist_items": {
      if ((manifest.sources?.playlists?.length ?? 0) === 0) return "no sources.playlists in the config";
      if (manifest.capabilities?.playlistItems === "no") {
        const profile = manifest.accessProfile ? ` (${manifest.accessProfile} access profile)` : "";
        return `Spotify refused the playlists' entries to this app${profile}; your own playlists' entries need SPOTIFY_REFRESH_TOKEN`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Notes for the empty tables of a run: one per reason, naming its tables, wrapped to `width`. */
export function emptyTableNotes(
  tables: readonly { table: string; rows: number }[],
  manifest: ManifestFacts | undefined,
  width: number,
): string[] {
  if (!manifest) return [];
  const byReason = new Map<string, string[]>();
  for (const { table, rows } of tables) {
    if (rows > 0) continue;
    const reason = emptyReason(table, manifest);
    if (reason) byReason.set(reason, [...(byReason.get(reason) ?? []), table]);
  }
  return [...byReason].flatMap(([reason, names]) => wrap(`${names.join(", ")}: empty, ${reason}.`, width, "  "));
}
