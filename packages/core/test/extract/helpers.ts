import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { parseConfig } from "../../src/config/load.ts";
import type { Config, ConfigInput } from "../../src/config/schema.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";

/** A temp-dir FsObjectStore and its cleanup. */
export async function tempStore(): Promise<{ store: FsObjectStore; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-extract-"));
  return { store: new FsObjectStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Parsed API JSON in tests: inspected loosely, field by field. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions read arbitrary nested JSON.
export type Loose = Record<string, any>;

/** Every line of the gzip NDJSON objects under `prefix`, parsed. */
export async function readLines(store: ObjectStore, prefix: string): Promise<Loose[]> {
  const lines: Loose[] = [];
  for (const key of await store.list(prefix)) {
    const body = await store.get(key);
    if (!body) continue;
    for (const line of gunzipSync(body).toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
  }
  return lines;
}

/** Every object under `prefix` as raw bytes, keyed by key. */
export async function snapshot(store: ObjectStore, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await store.list(prefix)) out[key] = (await store.get(key))?.toString("base64") ?? "";
  return out;
}

export const IDS = {
  artists: ["4tZwfgrHOc3mvqYlEYSvVi", "0TnOYISbd1XYRBk9myaseg"],
  albums: ["2noRn2Aes5aoNVsU6iWThc"],
  tracks: ["0VjIjW4GlUZAMYd2vXMi3b", "11dFghVXANMlKmJXsNCbNl"],
  playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
};

export function config(sources: ConfigInput["sources"], extract: ConfigInput["extract"] = {}): Config {
  return parseConfig({ sources, extract: { concurrency: 4, ...extract } });
}

export const FIXED_NOW = () => new Date("2026-11-21T06:00:00.000Z");
export const FAST_CLIENT = { backoffBaseMs: 5, backoffMaxMs: 20 };
export const DATE = "2026-11-20";
