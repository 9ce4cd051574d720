/**
 * The sample API's drift mode: Spotify's objects gain and lose fields over the years and without notice (see
 * docs/tables.md, "Validation by identity"). In drift mode every artist, album, track and playlist object, every
 * playlist entry and every play of a response loses some of its non-key fields, has some set to null or to a value of
 * another type, and gains fields tunelake does not know. What happens to a field is decided by a hash of the seed, the
 * object's type and id and the field's name, so it is reproducible, and every copy of one object drifts the same way.
 * Identity is never touched: `id`, `type`, `uri`, `is_local`, `played_at`, and the pages tunelake follows.
 */

const ENTITY_TYPES = new Set(["artist", "album", "track", "playlist"]);

/** Fields drift never changes: what identifies or places an object, and the pages the extractor follows. */
const PROTECTED = new Set(["id", "type", "uri", "href", "is_local", "played_at", "track", "item", "tracks", "items"]);

/** Fields added to every drifted object: unknown to tunelake, they must stay in raw and break nothing. */
const UNKNOWN_FIELDS = {
  drift_added_field: { nested: [1, "two", { three: null }], since: "2027-01" },
  linked_from_v2: "spotify:unknown:drift",
};

/** FNV-1a over the parts: a small, stable hash (the same on every platform and run). */
function hash(...parts: readonly (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const char of parts.join("\u0000")) {
    h ^= char.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A value of another type than `value`'s. */
function otherType(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number") return "not a number";
  if (typeof value === "boolean") return "maybe";
  if (Array.isArray(value)) return "not a list";
  if (value !== null && typeof value === "object") return ["not", "an", "object"];
  return { drifted: true };
}

export type DriftAction = "keep" | "remove" | "null" | "mistype";

/**
 * What drift does to `field` of the object of `kind` and `id`: about one field in five is gone from every object of
 * its kind (a field Spotify stopped returning), and of the others about one object in ten loses the field, one in
 * ten has it null and one in ten has it of another type.
 */
export function driftAction(seed: number, kind: string, id: string, field: string): DriftAction {
  if (hash(seed, kind, field) % 5 === 0) return "remove";
  const roll = hash(seed, kind, id, field) % 10;
  return roll === 0 ? "remove" : roll === 1 ? "null" : roll === 2 ? "mistype" : "keep";
}

function driftFields(object: Record<string, unknown>, seed: number, kind: string, id: string): void {
  for (const field of Object.keys(object)) {
    if (PROTECTED.has(field)) continue;
    const action = driftAction(seed, kind, id, field);
    if (action === "remove") delete object[field];
    else if (action === "null") object[field] = null;
    else if (action === "mistype") object[field] = otherType(object[field]);
  }
  Object.assign(object, structuredClone(UNKNOWN_FIELDS));
}

function visit(node: unknown, seed: number): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, seed);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const object = node as Record<string, unknown>;
  // Children first: a nested object that drift replaces is not visited.
  for (const value of Object.values(object)) visit(value, seed);
  const { id, type } = object;
  if (typeof type === "string" && ENTITY_TYPES.has(type) && typeof id === "string") {
    driftFields(object, seed, type, id);
  } else if ("added_at" in object && ("track" in object || "item" in object)) {
    const entry = (object.item ?? object.track) as { id?: unknown } | null;
    driftFields(object, seed, "entry", `${String(entry?.id)}:${String(object.added_at)}`);
  } else if (typeof object.played_at === "string") {
    driftFields(object, seed, "play", object.played_at);
  }
}

/** A drifted deep copy of an API response body. */
export function driftResponse<T>(body: T, seed = 1): T {
  const copy = structuredClone(body);
  visit(copy, seed);
  return copy;
}
