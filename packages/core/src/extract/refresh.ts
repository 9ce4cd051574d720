/**
 * Refresh rotation: whether a known object is fetched again on a run date, for the run and for `tunelake plan` alike
 * (docs/tables.md, "Incremental runs"). Each object has its own day in its period, a stable hash of its id, so the
 * same share of objects is due every day and no day spikes. An object older than its period, or carried forward
 * stale, is due whatever its day, so that a missed or cut-short day catches up at once.
 */
import type { RefreshPeriods } from "../config/extract-options.ts";

export type RefreshKind = keyof RefreshPeriods;

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (or the date part of an ISO timestamp). */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date.slice(0, 10)}T00:00:00Z`) / DAY_MS);
}

/** FNV-1a (32 bits) of a string: stable across runs, machines and versions. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** What the refresh decision needs of a known object. */
export interface KnownStamp {
  /** Its `_fetched_at`. */
  fetchedAt: string;
  /** The bucket it was carried forward stale for, when it was. */
  stale?: string;
}

/** True when the object `id` of `kind` is to be fetched on `date` (no known copy: always). */
export function isDue(
  kind: RefreshKind,
  id: string,
  known: KnownStamp | undefined,
  date: string,
  periods: RefreshPeriods,
): boolean {
  if (!known || known.stale) return true;
  const period = periods[kind];
  const today = dayNumber(date);
  const fetched = dayNumber(known.fetchedAt);
  if (!Number.isFinite(fetched) || period <= 1 || today - fetched >= period) return true;
  return onSlot(kind, id, date, periods);
}

/**
 * True on the object's own day of its `kind`'s period (a stable hash of its id): the days a periodic check of it
 * runs, exactly every period days whatever was fetched when.
 */
export function onSlot(kind: RefreshKind, id: string, date: string, periods: RefreshPeriods): boolean {
  const period = periods[kind];
  return period <= 1 || (dayNumber(date) + stableHash(`${kind}:${id}`)) % period === 0;
}
