/**
 * Reads the last known state (extract/known-objects.ts) of a run date from the lake: the raw zone of the latest earlier
 * run date that has a manifest.
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { LAKE_FOLDERS, manifestKey, parseManifest } from "../lake.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { CARRIED, type CarriedEntity, type KnownObject, KnownState } from "./known-objects.ts";
import type { ExtractManifest } from "./manifest.ts";

const gunzipAsync = promisify(gunzip);
const MANIFEST_DATE = /^_manifests\/dt=(\d{4}-\d{2}-\d{2})\/manifest\.json$/;

/** The latest run date before `date` that has a manifest, or undefined. */
export async function baseDate(store: ObjectStore, date: string): Promise<string | undefined> {
  const dates = (await store.list(`${LAKE_FOLDERS.manifests}/`))
    .map((key) => MANIFEST_DATE.exec(key)?.[1])
    .filter((d): d is string => d !== undefined && d < date)
    .sort();
  return dates.at(-1);
}

/** Reads the last known state for run date `date` (see the module comment). */
export async function readKnownState(store: ObjectStore, date: string): Promise<KnownState> {
  const base = await baseDate(store, date);
  if (!base) return new KnownState(undefined);
  const key = manifestKey(base);
  const body = await store.get(key);
  if (!body) return new KnownState(undefined);
  const manifest = parseManifest<ExtractManifest>(body, { location: store.location, key, date: base });
  const state = new KnownState(base, manifest.capabilities, manifest.stale ?? []);
  const carried = new Set<string>(CARRIED);
  const keys = manifest.keys.filter((k) => carried.has(k.split("/")[0] ?? ""));
  await Promise.all(
    keys.map(async (k) => {
      const part = await store.get(k);
      if (!part) return;
      const entity = k.split("/")[0] as CarriedEntity;
      for (const line of (await gunzipAsync(part)).toString("utf8").split("\n")) {
        if (!line) continue;
        try {
          state.add(entity, JSON.parse(line) as KnownObject);
        } catch {
          // A line that is not JSON names no object: that object is fetched again.
        }
      }
    }),
  );
  return state.finish();
}
