/**
 * EventBridge event-pattern matching: exact values (all the stack's rules use) and `anything-but` (value, list or
 * `prefix`), `prefix`, `exists` and `$or` (EventBridge user guide, "Event patterns" and "Content filtering").
 * A field named in a pattern must be present in the event for any operator but `exists: false`.
 */
import { TemplateError } from "../errors.ts";

type Json = Record<string, unknown>;

function matchesValue(filter: unknown, value: unknown, present: boolean): boolean {
  if (filter === null || typeof filter !== "object") return present && value === filter;
  const f = filter as Json;
  if ("exists" in f) return f.exists === present;
  if (!present) return false;
  if ("prefix" in f) return typeof value === "string" && value.startsWith(String(f.prefix));
  if ("anything-but" in f) {
    const but = f["anything-but"];
    if (but && typeof but === "object" && !Array.isArray(but)) {
      const inner = but as Json;
      if ("prefix" in inner) return typeof value === "string" && !value.startsWith(String(inner.prefix));
      throw new TemplateError({ reason: "unsupportedPattern", pattern: { "anything-but": but } });
    }
    return !(Array.isArray(but) ? but : [but]).includes(value as never);
  }
  throw new TemplateError({ reason: "unsupportedPattern", pattern: filter });
}

/** Whether `event` matches `pattern` (both in EventBridge's JSON shape, `detail-type` spelled out). */
export function matchesPattern(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, filter]) => {
    if (key === "$or") return (filter as Json[]).some((branch) => matchesPattern(branch, event));
    const present = Object.hasOwn(event, key) && event[key] !== undefined;
    const value = event[key];
    if (Array.isArray(filter)) {
      const values = Array.isArray(value) ? value : [value];
      return filter.some((f) => values.some((v) => matchesValue(f, v, present)));
    }
    if (filter && typeof filter === "object") {
      return present && value !== null && typeof value === "object" && matchesPattern(filter as Json, value as Json);
    }
    throw new TemplateError({ reason: "unsupportedPattern", pattern: { [key]: filter } });
  });
}
