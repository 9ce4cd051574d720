/**
 * What an incremental run fetches and what it carries forward, decided once for the run and `tunelake plan` alike
 * (docs/tables.md, "Incremental runs"): objects not due for a refresh (extract/refresh.ts) are carried from the last
 * known state (extract/known-objects.ts); albums and their tracks are immutable once fetched.
 */
import type { CarriedLine, Planner } from "../sources/define-source.ts";
import type { KnownEntry } from "./known-objects.ts";

type ById = "artists" | "tracks" | "albums";
const DONE_KEY: Record<ById, string> = { artists: "artist", tracks: "track", albums: "album" };

/** The lines that carry a known object forward: the object, and for an album its tracks. */
function linesOf(planner: Planner, kind: ById, id: string, entry: KnownEntry): CarriedLine[] {
  const lines: CarriedLine[] = [{ entity: kind, entry }];
  if (kind === "albums") {
    for (const track of planner.known.albumTracks.get(id) ?? []) lines.push({ entity: "album_tracks", entry: track });
  }
  return lines;
}

/** The lines that carry `id` forward, or undefined when it has no known copy. */
export function carriedOf(planner: Planner, kind: ById, id: string): CarriedLine[] | undefined {
  const entry = planner.known[kind].get(id);
  return entry ? linesOf(planner, kind, id, entry) : undefined;
}

/**
 * Splits `ids` of `kind`: the ones due (or unknown) are returned for fetching; the others are carried forward now,
 * each under its unit key (`artist:<id>`, `track:<id>`, `album:<id>`).
 */
export function dueOrCarry(planner: Planner, kind: ById, ids: readonly string[]): string[] {
  const due: string[] = [];
  for (const id of ids) {
    const entry = planner.known[kind].get(id);
    if (entry && !planner.due(kind, id, entry))
      planner.carry(`${DONE_KEY[kind]}:${id}`, linesOf(planner, kind, id, entry));
    else due.push(id);
  }
  return due;
}

/** The oldest stamp of a known list (when it was last read in full), stale when any of it is. */
export function listStamp(entries: readonly KnownEntry[]): { fetchedAt: string; stale?: string } | undefined {
  if (entries.length === 0) return undefined;
  const fetchedAt = entries.map((e) => e.fetchedAt).sort()[0] ?? "";
  return { fetchedAt, stale: entries.find((e) => e.stale)?.stale };
}
