/**
 * Property: for any valid sample object and any subset of its non-key fields removed, nulled or (for non-strings) of
 * another type, the object lands in its tables with exactly the columns built from those fields NULL (the others as
 * for the untouched object), and every table has one row per distinct id. 200 objects per entity, one transform
 * run each (plus one for the untouched objects).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import { deriveId, SampleData } from "@tunelake/sample-api/sample-data";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CuratedTable, curatedKey, type RawEntity, rawKey, type TransformEntity } from "../../src/lake.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import { curatedTable } from "../../src/transform/curated-tables.ts";
import { runTransform } from "../../src/transform/run-transform.ts";

const CASES = 200;
const DATE = "2026-11-20";
const data = new SampleData({ profile: "extended", shape: "2026", apiBaseUrl: "https://api.spotify.com/v1" });

type Action = "keep" | "remove" | "null" | "mistype";
type Json = Record<string, unknown>;

interface EntityCase {
  entity: TransformEntity & RawEntity;
  table: CuratedTable;
  key: string;
  make: (id: string) => Json;
  /** The fields drift may touch, and the columns of `table` each one fills (several fields may fill one column). */
  fields: Record<string, string[]>;
  /** Columns NULL only when every listed field is gone (a derived fallback otherwise fills them). */
  allOf?: Record<string, string[]>;
  /** The bridge table filled from the object's `artists`, and its key column. */
  bridge?: { table: CuratedTable; key: string };
}

const CASES_BY_ENTITY: EntityCase[] = [
  {
    entity: "artists",
    table: "artists",
    key: "artist_id",
    make: (id) => data.artist(id),
    fields: {
      name: ["name"],
      genres: ["genres"],
      popularity: ["popularity"],
      followers: ["followers"],
      images: ["image_url"],
      href: [],
      external_urls: [],
    },
  },
  {
    entity: "albums",
    table: "albums",
    key: "album_id",
    make: (id) => data.album(id),
    fields: {
      name: ["name"],
      album_type: ["album_type"],
      release_date: ["release_date", "release_year"],
      release_date_precision: [],
      total_tracks: ["total_tracks"],
      label: ["label"],
      popularity: ["popularity"],
      external_ids: ["upc"],
      images: ["image_url"],
      genres: ["genres"],
      artists: [],
      available_markets: [],
      copyrights: [],
      tracks: [],
    },
    // The precision follows from the date's shape when the date is there.
    allOf: { release_date_precision: ["release_date", "release_date_precision"] },
    bridge: { table: "album_artists", key: "album_id" },
  },
  {
    entity: "tracks",
    table: "tracks",
    key: "track_id",
    make: (id) => data.track(id),
    fields: {
      name: ["name"],
      album: ["album_id"],
      duration_ms: ["duration_ms"],
      explicit: ["explicit"],
      disc_number: ["disc_number"],
      track_number: ["track_number"],
      external_ids: ["isrc"],
      popularity: ["popularity"],
      artists: [],
      // A track is not a local file unless it says so; its uri follows from its id.
      is_local: [],
      preview_url: [],
      available_markets: [],
    },
    bridge: { table: "track_artists", key: "track_id" },
  },
  {
    entity: "playlists",
    table: "playlists",
    key: "playlist_id",
    make: (id) => data.playlist(id, false),
    fields: {
      name: ["name"],
      owner: ["owner_id", "owner_name"],
      snapshot_id: ["snapshot_id"],
      public: ["public"],
      collaborative: ["collaborative"],
      description: ["description"],
      followers: ["followers"],
      images: ["image_url"],
      external_urls: [],
    },
  },
];

/** A value of another type (strings are nulled instead: any JSON value reads as a string). */
const otherType = (value: unknown): unknown =>
  typeof value === "number"
    ? "not a number"
    : typeof value === "boolean"
      ? "maybe"
      : Array.isArray(value)
        ? "not a list"
        : value !== null && typeof value === "object"
          ? "not an object"
          : null;

function apply(object: Json, actions: Record<string, Action>): { object: Json; gone: Set<string> } {
  const out: Json = { ...object };
  const gone = new Set<string>();
  for (const [field, action] of Object.entries(actions)) {
    if (action === "keep" || !(field in out)) continue;
    gone.add(field);
    if (action === "remove") delete out[field];
    else if (action === "null") out[field] = null;
    else out[field] = otherType(out[field]);
  }
  return { object: out, gone };
}

let dir: string;
let duck: DuckDBInstance;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-identity-"));
  duck = await DuckDBInstance.create(":memory:");
});

afterAll(async () => {
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

/** Transforms `objects` as the day's only raw objects of the entity; returns the rows of `tables` by table. */
async function transformObjects(
  label: string,
  c: EntityCase,
  objects: Json[],
): Promise<Record<string, Record<string, unknown>[]>> {
  const raw = new FsObjectStore(path.join(dir, label, "raw"));
  const curated = new FsObjectStore(path.join(dir, label, "curated"));
  const provenance = { _fetched_at: "2026-11-20T10:00:00.000Z", _source: `${c.entity}:property` };
  const body = objects.map((o) => JSON.stringify({ ...o, ...provenance })).join("\n");
  await raw.put(rawKey(c.entity, DATE, 0), gzipSync(`${body}\n`));
  const result = await runTransform({ entity: c.entity, date: DATE, raw, curated, workDir: path.join(dir, label) });
  expect(result.tables.every((t) => t.rejects === 0)).toBe(true);
  const db = await duck.connect();
  try {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const t of result.tables) {
      const columns = curatedTable(t.table as CuratedTable)
        .columns.filter((col) => col.name !== "_fetched_at")
        .map((col) => `"${col.name}"`);
      const file = curated.localPath(curatedKey(t.table, DATE));
      const reader = await db.runAndReadAll(`SELECT ${columns.join(", ")} FROM read_parquet('${file}')`);
      out[t.table] = reader.getRowObjectsJson();
    }
    return out;
  } finally {
    db.closeSync();
  }
}

describe("validation by identity (property-based, fast-check)", () => {
  it.each(CASES_BY_ENTITY.map((c) => [c.entity, c] as const))(
    "%s: any non-key fields removed, null or mistyped are exactly the NULL columns, one row per id",
    async (_entity, c) => {
      const actionArb = fc.constantFrom<Action>("keep", "keep", "remove", "null", "mistype");
      const objectActions = fc.record(Object.fromEntries(Object.keys(c.fields).map((f) => [f, actionArb])));
      await fc.assert(
        fc.asyncProperty(fc.array(objectActions, { minLength: CASES, maxLength: CASES }), async (actions) => {
          // Prepare: CASES objects with distinct ids, and each one's drifted copy.
          const originals = actions.map((_, i) => c.make(deriveId("property", c.entity, i)));
          const drifted = originals.map((o, i) => apply(o, actions[i] as Record<string, Action>));

          // Act
          const baseline = await transformObjects(`${c.entity}-base`, c, originals);
          const tables = await transformObjects(
            `${c.entity}-drift`,
            c,
            drifted.map((d) => d.object),
          );

          // Assess: the untouched objects fill every column drift may empty (else the property proves nothing).
          for (const col of Object.values(c.fields).flat()) {
            expect(
              baseline[c.table]?.some((r) => r[col] !== null),
              `${c.table}.${col} filled`,
            ).toBe(true);
          }
          const ids = new Set(originals.map((o) => o.id));
          expect(tables[c.table]).toHaveLength(ids.size);
          const before = new Map(baseline[c.table]?.map((r) => [r[c.key], r]));
          const after = new Map(tables[c.table]?.map((r) => [r[c.key], r]));
          originals.forEach((original, i) => {
            const { gone } = drifted[i] as { gone: Set<string> };
            const nulled = new Set(Object.entries(c.fields).flatMap(([f, cols]) => (gone.has(f) ? cols : [])));
            for (const [col, fields] of Object.entries(c.allOf ?? {})) {
              if (fields.every((f) => gone.has(f))) nulled.add(col);
            }
            const base = before.get(original.id) ?? {};
            const expected = Object.fromEntries(
              Object.entries(base).map(([col, value]) => [col, nulled.has(col) ? null : value]),
            );
            expect(after.get(original.id), `${String(original.id)} with ${[...gone].join(", ")} gone`).toEqual(
              expected,
            );
          });
          if (c.bridge) {
            const bridge = c.bridge;
            const count = (rows: Record<string, unknown>[] | undefined, id: unknown) =>
              rows?.filter((r) => r[bridge.key] === id).length ?? 0;
            originals.forEach((original, i) => {
              const gone = (drifted[i] as { gone: Set<string> }).gone.has("artists");
              const expected = gone ? 0 : count(baseline[bridge.table], original.id);
              expect(count(tables[bridge.table], original.id), `${bridge.table} of ${String(original.id)}`).toBe(
                expected,
              );
            });
          }
        }),
        { numRuns: 1, endOnFailure: true },
      );
    },
    120_000,
  );
});
