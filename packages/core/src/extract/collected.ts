/**
 * What one extraction work unit produces: raw lines and rejects, kept in memory until the unit is finished and then
 * handed to the raw writer at once, so that a checkpoint never records half a unit.
 */
import type * as v from "valibot";

/** A raw entity's name (lake.ts narrows it to the declared ones; this module is used by the declarations). */
type RawEntity = string;

import { checkItem } from "../spotify/schemas.ts";
import { rejectItem, serializeBounded } from "./raw-line.ts";

/** One raw line: the API object as returned plus `_`-prefixed provenance fields, already serialized. */
export interface RawRecord {
  entity: RawEntity;
  line: string;
  /** A known object carried forward, not fetched (counted apart in the manifest). */
  carried?: boolean;
}

/** An item that did not fit its schema (or was missing), with why. */
export interface RejectRecord {
  entity: RawEntity;
  reason: string;
  source: string;
  fetchedAt: string;
  item: unknown;
}

/** The `_`-prefixed fields stored with an API object: always `_fetched_at` and `_source`, plus entity-specific ones. */
export type Provenance = { _fetched_at: string; _source: string } & Record<string, unknown>;

/** What a unit's change checks found (the manifest sums them, docs/tables.md "Incremental runs"). */
export interface CheckCounts {
  /** Requests that asked whether something changed (a playlist's snapshot, an include group's first page). */
  changeChecks: number;
  /** Change checks that found nothing new, and 304 Not Modified answers. */
  notModified: number;
}

export class Collected {
  readonly raw: RawRecord[] = [];
  readonly rejects: RejectRecord[] = [];
  readonly checks: CheckCounts = { changeChecks: 0, notModified: 0 };

  /** Counts one change check, and whether it found nothing new. */
  checked(unchanged: boolean): void {
    this.checks.changeChecks++;
    if (unchanged) this.checks.notModified++;
  }

  /**
   * Adds an API object with its provenance (`_fetched_at`, `_source` and entity-specific fields); one nested too deep,
   * not serializable or too large for a raw line becomes a reject instead (see raw-line.ts).
   */
  add(entity: RawEntity, object: unknown, provenance: Provenance): boolean {
    // Serialized at once, so the work overlaps with requests in flight and the parsed response can be freed; the
    // provenance is appended to the object's JSON text rather than copied into a new object (a hot path).
    const serialized = serializeBounded(object);
    if (!serialized.ok) {
      this.reject(entity, serialized.reason, provenance._source, provenance._fetched_at, object);
      return false;
    }
    const body = serialized.json;
    const extra = JSON.stringify(provenance);
    const line = body.startsWith("{") && body.length > 2 ? `${body.slice(0, -1)},${extra.slice(1)}` : extra;
    this.raw.push({ entity, line });
    return true;
  }

  /** Adds a line already serialized (a known object carried forward, extract/known-objects.ts). */
  addLine(entity: RawEntity, line: string): void {
    this.raw.push({ entity, line, carried: true });
  }

  reject(entity: RawEntity, reason: string, source: string, fetchedAt: string, item: unknown): void {
    // Kept whole only when it is small and serializable: a reject line must not fail (or bloat) like the item did.
    this.rejects.push({ entity, reason, source, fetchedAt, item: rejectItem(item) });
  }

  /**
   * Adds `item` with its provenance when it fits `schema`, else rejects it (with the schema's reason and the
   * provenance's `_source` and `_fetched_at`). Returns the parsed item, or undefined when it was rejected (the
   * schemas used here are all objects, so a parsed item is never undefined).
   */
  addChecked<S extends v.GenericSchema>(
    entity: RawEntity,
    schema: S,
    item: unknown,
    provenance: Provenance,
  ): v.InferOutput<S> | undefined {
    const checked = checkItem(schema, item);
    if (!checked.ok) {
      this.reject(entity, checked.reason, provenance._source, provenance._fetched_at, item);
      return undefined;
    }
    return this.add(entity, item, provenance) ? checked.value : undefined;
  }

  /** Appends `others` in their order. */
  merge(others: readonly Collected[]): this {
    for (const other of others) {
      this.raw.push(...other.raw);
      this.rejects.push(...other.rejects);
      this.checks.changeChecks += other.checks.changeChecks;
      this.checks.notModified += other.checks.notModified;
    }
    return this;
  }
}
