/**
 * What an incremental run fetches and what it carries forward, decided once for the run and `tunelake plan` alike
 * (docs/tables.md, "Incremental runs"): objects not due for a refresh (extract/refresh.ts) are carried from the last
 * known state (extract/known-objects.ts); albums and their tracks are immutable once fetched.
 */
import type { Planner } from "../sources/define-source.ts";
import type { KnownEntry } from "./known-objects.ts";

type ById = "artists" | "tracks" | "albums";
const DONE_KEY: Record<ById, string> = { artists: "artist", tracks: "track", albums: "album" };

/**
 * Splits `ids` of `kind`: the ones due (or unknown) are returned for fetching; the others are carried forward now,
 * each under its unit key (`artist:<id>`, `track:<id>`, `album:<id>`).
 */
export function dueOrCarry(planner: Planner, kind: ById, ids: readonly string[]): string[] {
  const due: string[] = [];
  for (const id of ids) {
    const entry = planner.known[kind].get(id);
    const key = `${DONE_KEY[kind]}:${id}`;
    if (entry && !planner.due(kind, id, entry)) planner.carry(key, planner.known.linesOf(key));
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
