/**
 * Limits on one raw line, checked when an API object is serialized at Extract: an object nested deeper than
 * {@link MAX_NESTING_DEPTH} levels (JSON.stringify would overflow the stack on it, and DuckDB would choke on it), one
 * that cannot be serialized, or one whose line passes {@link MAX_RAW_LINE_BYTES} (e.g. a 20 MB `name`) is not written
 * to the raw zone: it becomes a counted reject with its reason, and its reject line keeps only what identifies it
 * (docs/tables.md, "Rejects").
 */

/** Deepest nesting of objects and arrays kept; Spotify's own objects nest about 6 levels. */
export const MAX_NESTING_DEPTH = 64;
/**
 * Longest raw line kept, in UTF-16 code units of its JSON (about bytes for Spotify's mostly-ASCII text). An album
 * with its first page of tracks and their markets is a few hundred kB; DuckDB reads lines up to 16 MB.
 */
export const MAX_RAW_LINE_BYTES = 4 * 1024 * 1024;
/** Reject lines keep the item whole only up to this size; a larger one keeps its id and type. */
const MAX_REJECT_ITEM_CHARS = 64 * 1024;

/** True when `value` nests objects or arrays deeper than `limit` levels (iterative: no stack to overflow). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== "object") continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The JSON of `value`, or why it has none that fits the limits above. */
export function serializeBounded(
  value: unknown,
  maxChars = MAX_RAW_LINE_BYTES,
): { ok: true; json: string } | { ok: false; reason: string } {
  if (nestsDeeperThan(value, MAX_NESTING_DEPTH)) {
    return { ok: false, reason: `nested deeper than ${MAX_NESTING_DEPTH} levels` };
  }
  let json: string;
  try {
    json = JSON.stringify(value) ?? "null";
  } catch (error) {
    return {
      ok: false,
      reason: `cannot be serialized as JSON (${(error as Error).name}: ${(error as Error).message})`,
    };
  }
  if (json.length > maxChars) {
    return { ok: false, reason: `larger than ${maxChars} characters as one raw line (${json.length})` };
  }
  return { ok: true, json };
}

/** What a reject line keeps of an item: the item when it is small and sound, else its `id` and `type`. */
export function rejectItem(item: unknown): unknown {
  const whole = serializeBounded(item, MAX_REJECT_ITEM_CHARS);
  if (whole.ok) return item;
  const fields = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : {};
  const short = (v: unknown) => (typeof v === "string" ? v.slice(0, 100) : undefined);
  return { id: short(fields.id), type: short(fields.type), _omitted: whole.reason };
}
