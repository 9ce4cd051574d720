/**
 * The last measured time of each test file (`vitest.durations.json`, kept in the repository), so that a clean clone,
 * which has no vitest cache, still starts its long files first (vitest.sequencer.ts). A full run refreshes it with
 * `TUNELAKE_WRITE_DURATIONS=1 npm test` (vitest.slowest.ts writes it); a file it does not know yet counts as its tier's
 * usual time.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Tier, tierOf } from "./vitest.tiers.ts";

export const DURATIONS_FILE = path.join(import.meta.dirname, "vitest.durations.json");

/** A file's time when it has none on record: end-to-end files take tens of seconds, integration ones about ten. */
const TIER_DEFAULT_MS: Record<Tier, number> = { e2e: 20_000, integration: 10_000, unit: 1_000 };

/** File times on record, by path relative to the repository. */
export function recordedDurations(): Record<string, number> {
  if (!existsSync(DURATIONS_FILE)) return {};
  return JSON.parse(readFileSync(DURATIONS_FILE, "utf8")) as Record<string, number>;
}

/** `file`'s expected time in ms: on record, else its tier's default. */
export function expectedDuration(recorded: Record<string, number>, file: string): number {
  return recorded[file] ?? TIER_DEFAULT_MS[tierOf(file)];
}

/** Records `measured` (ms by relative path) over what is on record, rounded to 0.1 s, in a stable order. */
export function recordDurations(measured: Record<string, number>): void {
  const all = { ...recordedDurations(), ...measured };
  const kept = Object.keys(all)
    .filter((file) => existsSync(path.join(import.meta.dirname, file)))
    .sort();
  const out = Object.fromEntries(kept.map((file) => [file, Math.round((all[file] ?? 0) / 100) * 100]));
  writeFileSync(DURATIONS_FILE, `${JSON.stringify(out, null, 2)}\n`);
}
