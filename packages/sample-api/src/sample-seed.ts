/**
 * The sample API's seeds: a small seeded PRNG and ids derived from it, so every object is a fixed function of its
 * seed parts on every machine and run.
 */

export const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export function seededRandom(...parts: readonly (string | number)[]): () => number {
  let state = fnv1a(parts.join("\u0000"));
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] from `rand`. */
export const int = (rand: () => number, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));

/** A valid 22-character base-62 id derived from `parts`. */
export function deriveId(...parts: readonly (string | number)[]): string {
  const rand = seededRandom("id", ...parts);
  let id = "";
  for (let i = 0; i < 22; i++) id += BASE62[Math.floor(rand() * 62)];
  return id;
}
