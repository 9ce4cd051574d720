/**
 * What extraction tasks produce: raw lines and rejects, kept in memory in the order of the plan so that a rerun writes
 * byte-identical files however the concurrent requests happened to finish.
 */
import type { RawEntity } from "../lake.ts";

/** One raw line: the API object as returned plus `_`-prefixed provenance fields, already serialized. */
export interface RawRecord {
  entity: RawEntity;
  line: string;
}

/** An item that did not fit its schema (or was missing), with why. */
export interface RejectRecord {
  entity: RawEntity;
  reason: string;
  source: string;
  fetchedAt: string;
  item: unknown;
}

export class Collected {
  readonly raw: RawRecord[] = [];
  readonly rejects: RejectRecord[] = [];

  /** Adds an API object with its provenance (`_fetched_at`, `_source` and entity-specific fields). */
  add(
    entity: RawEntity,
    object: unknown,
    provenance: { _fetched_at: string; _source: string } & Record<string, unknown>,
  ) {
    // Serialized at once, so the work overlaps with requests in flight and the parsed response can be freed; the
    // provenance is appended to the object's JSON text rather than copied into a new object (a hot path).
    const body = JSON.stringify(object);
    const extra = JSON.stringify(provenance);
    const line = body.startsWith("{") && body.length > 2 ? `${body.slice(0, -1)},${extra.slice(1)}` : extra;
    this.raw.push({ entity, line });
  }

  reject(entity: RawEntity, reason: string, source: string, fetchedAt: string, item: unknown): void {
    this.rejects.push({ entity, reason, source, fetchedAt, item });
  }

  /** Appends `others` in their order. */
  merge(others: readonly Collected[]): this {
    for (const other of others) {
      this.raw.push(...other.raw);
      this.rejects.push(...other.rejects);
    }
    return this;
  }
}
