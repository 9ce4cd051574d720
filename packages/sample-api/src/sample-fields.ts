/**
 * Spotify's `fields` filter (`GET /playlists/{id}?fields=snapshot_id,name,owner(id)`): a comma-separated list of
 * fields to return; `a.b` selects `b` inside the object `a`; `a(b,c)` selects `b` and `c` inside `a`, or inside each
 * element when `a` is a list (`items(added_at,item(id))`); `!name` leaves a field out. A list with only exclusions
 * keeps every other field. Anything else (an empty name, unbalanced parentheses) is a 400, as Spotify answers it.
 */
import { HttpError } from "./errors.ts";

/** What to keep of an object: each named field whole (`true`) or filtered further; `exclude` drops fields. */
interface FieldSpec {
  include: Map<string, FieldSpec | true>;
  exclude: Set<string>;
}

/** Bounds on the filter a request may send. */
const MAX_FIELDS_LENGTH = 2000;
const MAX_DEPTH = 8;

const invalid = () => new HttpError({ problem: "invalidParameter", parameter: "fields parameter" });
const NAME = /^[A-Za-z0-9_]+/;

/** Parses `fields`; throws the 400 Spotify answers for a malformed one. */
export function parseFields(text: string): FieldSpec {
  if (text.length === 0 || text.length > MAX_FIELDS_LENGTH) throw invalid();
  let at = 0;
  const list = (depth: number): FieldSpec => {
    if (depth > MAX_DEPTH) throw invalid();
    const spec: FieldSpec = { include: new Map(), exclude: new Set() };
    do {
      const excluded = text[at] === "!";
      if (excluded) at++;
      const path: string[] = [];
      do {
        const name = NAME.exec(text.slice(at))?.[0];
        if (!name) throw invalid();
        path.push(name);
        at += name.length;
      } while (text[at] === "." && ++at);
      let leaf: FieldSpec | true = true;
      if (text[at] === "(") {
        at++;
        leaf = list(depth + 1);
        if (text[at] !== ")") throw invalid();
        at++;
      }
      if (excluded) {
        if (path.length !== 1 || leaf !== true) throw invalid();
        spec.exclude.add(path[0] ?? "");
      } else {
        // `a.b.c` is `a(b(c))`.
        const nested = path
          .slice(1)
          .reverse()
          .reduce<FieldSpec | true>((inner, name) => ({ include: new Map([[name, inner]]), exclude: new Set() }), leaf);
        const first = path[0] ?? "";
        spec.include.set(first, merge(spec.include.get(first), nested));
      }
    } while (text[at] === "," && ++at);
    return spec;
  };
  const spec = list(0);
  if (at !== text.length) throw invalid();
  return spec;
}

function merge(a: FieldSpec | true | undefined, b: FieldSpec | true): FieldSpec | true {
  if (a === undefined) return b;
  if (a === true || b === true) return true;
  const include = new Map(a.include);
  for (const [name, spec] of b.include) include.set(name, merge(include.get(name), spec));
  return { include, exclude: new Set([...a.exclude, ...b.exclude]) };
}

/** `value` filtered by `spec` (a deep copy of what is kept). */
export function applyFields(value: unknown, spec: FieldSpec): unknown {
  if (Array.isArray(value)) return value.map((element) => applyFields(element, spec));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keep = spec.include.size === 0 ? Object.keys(object) : [...spec.include.keys()];
  for (const key of keep) {
    if (!(key in object) || spec.exclude.has(key)) continue;
    const sub = spec.include.get(key);
    out[key] = sub === undefined || sub === true ? object[key] : applyFields(object[key], sub);
  }
  return out;
}
