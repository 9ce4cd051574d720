/**
 * Incremental runs against the (unchanging) sample API: the second of two consecutive dates carries forward what is
 * not due, asks far fewer requests, and its curated tables equal a fresh home's full refetch of that date row for row
 * (all columns but `_fetched_*`).
 */
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { type SampleServer, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExtractManifest } from "../../src/extract/manifest.ts";
import { planRequests } from "../../src/extract/plan-requests.ts";
import { runExtract } from "../../src/extract/run-extract.ts";
import { manifestKey } from "../../src/lake.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import { TABLES } from "../../src/tables/index.ts";
import { transformAll } from "../../src/transform/run-transform.ts";
import { config, FAST_CLIENT, IDS, readLines, tempStore } from "./helpers.ts";

const DAY1 = "2026-11-19";
const DAY2 = "2026-11-20";
const SOURCES = { ...IDS, searches: [{ query: "tag:new", type: "album" as const, limit: 10 }] };
const nowOf = (date: string) => () => new Date(`${date}T23:00:00.000Z`);

interface Home {
  raw: FsObjectStore;
  curated: FsObjectStore;
  dir: string;
}

let server: SampleServer;
let cleanup: () => Promise<void>;
let root: string;
beforeAll(async () => {
  server = await startSampleServer({ profile: "development" });
  const temp = await tempStore();
  root = temp.store.root;
  cleanup = temp.cleanup;
});
afterAll(async () => {
  await server?.close();
  await cleanup?.();
});

const homeAt = (name: string): Home => ({
  raw: new FsObjectStore(path.join(root, name, "raw")),
  curated: new FsObjectStore(path.join(root, name, "curated")),
  dir: path.join(root, name),
});

/** Extracts a date into a home and returns the requests the sample server saw for it. */
async function extractDay(
  home: Home,
  date: string,
  refetch = false,
  extract: Parameters<typeof config>[1] = {},
): Promise<number> {
  server.resetStats();
  await runExtract({
    refetch,
    config: config(SOURCES, extract),
    date,
    store: home.raw,
    spotify: sampleEnv(server),
    dataSource: "sample",
    now: nowOf(date),
    client: FAST_CLIENT,
  });
  const stats = server.stats();
  return stats.requests - (stats.byEndpoint["POST /api/token"] ?? 0);
}

/** The published raw lines of a date per entity, sorted, without `_fetched_at` (a rerun fetches again). */
async function dayLines(home: Home, date: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const key of (await manifestOf(home, date)).keys) {
    const entity = key.split("/")[0] ?? key;
    const lines = (await readLines(home.raw, key)).map(({ _fetched_at, ...rest }) => JSON.stringify(rest));
    out[entity] = [...(out[entity] ?? []), ...lines].sort();
  }
  return out;
}

const manifestOf = async (home: Home, date: string): Promise<ExtractManifest> =>
  JSON.parse((await home.raw.get(manifestKey(date)))?.toString() ?? "{}");

/** Every curated table of a date, its rows as sorted JSON strings without the `_fetched_*` columns. */
async function tablesOf(home: Home, date: string): Promise<Record<string, string[]>> {
  await transformAll({
    date,
    raw: home.raw,
    curated: home.curated,
    workDir: path.join(home.dir, `work-${Date.now()}`),
  });
  const duck = await DuckDBInstance.create(":memory:");
  const db = await duck.connect();
  const out: Record<string, string[]> = {};
  try {
    for (const table of TABLES) {
      const file = path.join(home.curated.root, table.name, `dt=${date}`, "part-00000.parquet");
      const columns = table.columns.filter((c) => !c.name.startsWith("_fetched")).map((c) => `"${c.name}"`);
      const rows = (
        await db.runAndReadAll(`SELECT ${columns.join(", ")} FROM read_parquet('${file}')`)
      ).getRowObjectsJson();
      out[table.name] = rows.map((r) => JSON.stringify(r)).sort();
    }
  } finally {
    db.closeSync();
    duck.closeSync();
  }
  return out;
}

describe("incremental extract: two consecutive dates of one config", () => {
  it("day 2 carries forward what is not due, costs far fewer requests, and equals a full refetch", async () => {
    // Prepare
    const home = homeAt("incremental");
    const fresh = homeAt("fresh");
    const cold = await extractDay(home, DAY1);
    // Act
    const steady = await extractDay(home, DAY2);
    const refetch = await extractDay(fresh, DAY2);
    // Assess
    const m2 = await manifestOf(home, DAY2);
    const full = await manifestOf(fresh, DAY2);
    expect(m2.base).toBe(DAY1);
    expect(full.base).toBeNull();
    expect(m2.requests.total).toBe(steady);
    expect(refetch).toBe(cold);
    expect(steady).toBeLessThan(cold / 2);
    expect(m2.changeChecks).toBeGreaterThan(0);
    expect(m2.notModified).toBe(m2.changeChecks);
    const carried = Object.values(m2.carriedForward ?? {}).reduce((a, b) => a + b, 0);
    expect(carried).toBeGreaterThan(0);
    // Every object the config reaches is in the day, fetched or carried.
    expect(m2.objects).toEqual(full.objects);
    const incremental = await tablesOf(home, DAY2);
    const expected = await tablesOf(fresh, DAY2);
    for (const table of TABLES) {
      expect(incremental[table.name], table.name).toEqual(expected[table.name]);
    }
    expect(incremental.albums?.length).toBeGreaterThan(0);
    // A rerun of day 2 reads the same base (only earlier dates count) and writes the same day.
    const before = await dayLines(home, DAY2);
    await extractDay(home, DAY2, true);
    expect(await dayLines(home, DAY2)).toEqual(before);
  }, 60_000);
});

describe("incremental extract: an exhausted quota bucket", () => {
  const DAY3 = "2026-11-21";

  it("stops only that bucket's work, carries it forward stale, completes the day, and catches up the next day", async () => {
    // Prepare
    const home = homeAt("capped");
    await extractDay(home, DAY1);
    // Act: the config spends the artist-albums bucket before its first request.
    await extractDay(home, DAY2, false, { quota: { "artist-albums": { maxRequestsPerDay: 0 } } });
    await extractDay(home, DAY3);
    // Assess
    const m1 = await manifestOf(home, DAY1);
    const m2 = await manifestOf(home, DAY2);
    const m3 = await manifestOf(home, DAY3);
    expect(m2.requests.byBucket?.["artist-albums"]).toBe(0);
    expect(m2.requests.byBucket?.playlists).toBeGreaterThan(0);
    expect(m2.stale).toEqual([expect.objectContaining({ source: "artists", bucket: "artist-albums", since: DAY2 })]);
    expect(m2.objects).toEqual(m1.objects);
    const stale = (await readLines(home.raw, `artist_albums/dt=${DAY2}/`)).filter((l) => l._stale);
    expect(stale).toHaveLength(m1.objects.artist_albums);
    // The next day asks the deferred lists again (whatever their refresh day) and is fresh.
    expect(m3.stale).toEqual([]);
    expect(m3.requests.byBucket?.["artist-albums"]).toBeGreaterThanOrEqual(IDS.artists.length);
    expect((await readLines(home.raw, `artist_albums/dt=${DAY3}/`)).filter((l) => l._stale)).toEqual([]);
  }, 60_000);

  it("the next day's plan names the deferred work, and the run takes it up before the day's other work", async () => {
    // Prepare: day 2 leaves both artists' album lists stale (their bucket capped at 0).
    const home = homeAt("deferred-first");
    await extractDay(home, DAY1);
    await extractDay(home, DAY2, false, { quota: { "artist-albums": { maxRequestsPerDay: 0 } } });
    // Day 3 adds an artist before them: its list is new work in the same bucket, planned first in config order.
    const NEW_ARTIST = "1vCWHaC5f2uS3yhpwWbIA6";
    const day3 = { ...SOURCES, artists: [NEW_ARTIST, ...IDS.artists] };
    const plan = await planRequests({ config: config(day3), date: DAY3, store: home.raw, userToken: false });
    // Act: day 3's cap is exactly the deferred work's requests; one unit at a time, so the order is the run's.
    server.resetStats();
    await runExtract({
      config: config(day3, {
        concurrency: 1,
        quota: { "artist-albums": { maxRequestsPerDay: plan.byReason.deferred } },
      }),
      date: DAY3,
      store: home.raw,
      spotify: sampleEnv(server),
      dataSource: "sample",
      now: nowOf(DAY3),
      client: FAST_CLIENT,
    });
    // Assess
    expect(plan.deferredFrom).toEqual([expect.objectContaining({ source: "artists", bucket: "artist-albums" })]);
    expect(plan.byReason.deferred).toBeGreaterThanOrEqual(IDS.artists.length);
    expect(plan.byReason.new).toBeGreaterThan(0);
    const m3 = await manifestOf(home, DAY3);
    expect(m3.requests.byBucket?.["artist-albums"]).toBe(plan.byReason.deferred);
    const lists = await readLines(home.raw, `artist_albums/dt=${DAY3}/`);
    // The deferred lists were read (fresh), and the new artist's list is what the cap stopped.
    for (const artist of IDS.artists) {
      const own = lists.filter((l) => l._artist_id === artist);
      expect(own.length, artist).toBeGreaterThan(0);
      expect(own.filter((l) => l._stale || l._carried_from)).toEqual([]);
    }
    expect(lists.filter((l) => l._artist_id === NEW_ARTIST)).toEqual([]);
    // The source is still stale in that bucket (for the new artist): stale since day 2.
    expect(m3.stale).toEqual([expect.objectContaining({ source: "artists", bucket: "artist-albums", since: DAY2 })]);
  }, 60_000);

  it("Spotify exhausting one bucket (QUOTA_EXCEEDED, day-long Retry-After) stops only its sources; the rest stay fresh", async () => {
    // Prepare
    const home = homeAt("quota");
    await extractDay(home, DAY1);
    server.setQuota({ budgets: { "artist-albums": 0 } });
    // Act: the refresh periods of 1 day make every bucket work on day 2.
    const all = { artists: 1, artistAlbums: 1, artistAlbumsCheck: 1, albums: 1, tracks: 1, playlists: 1 };
    try {
      await extractDay(home, DAY2, false, { refresh: all });
    } finally {
      server.setQuota(undefined);
    }
    // Assess
    const m1 = await manifestOf(home, DAY1);
    const m2 = await manifestOf(home, DAY2);
    expect(m2.objects).toEqual(m1.objects);
    expect(m2.stale?.map((r) => `${r.source}/${r.bucket}`)).toEqual(["artists/artist-albums"]);
    expect(m2.stale?.[0]?.reason).toMatch(/exhausted until/);
    for (const bucket of ["catalog", "playlists", "search"]) expect(m2.requests.byBucket?.[bucket]).toBeGreaterThan(0);
    const fresh = (await readLines(home.raw, `albums/dt=${DAY2}/`)).filter((l) => !l._carried_from);
    expect(fresh).toHaveLength(m1.objects.albums);
  }, 60_000);
});

describe("tunelake plan: the requests of the next run, per quota bucket", () => {
  it.each([
    ["the default refresh periods", {}],
    [
      "refresh periods of 2 days (half the objects due)",
      { refresh: { artists: 2, artistAlbums: 2, albums: 2, tracks: 2, playlists: 2 } },
    ],
    [
      "one album per artist over its include groups, refresh periods of 2 days",
      { maxAlbumsPerArtist: 1, refresh: { artists: 2, artistAlbums: 2, albums: 2, tracks: 2, playlists: 2 } },
    ],
  ] as const)(
    "matches the run exactly on an unchanged day, with %s",
    async (_name, extract) => {
      // Prepare
      const home = homeAt(`plan-${Object.keys(extract).length}`);
      await extractDay(home, DAY1, false, extract);
      // Act
      const plan = await planRequests({
        config: config(SOURCES, extract),
        date: DAY2,
        store: home.raw,
        userToken: false,
      });
      const requests = await extractDay(home, DAY2, false, extract);
      // Assess
      const run = await manifestOf(home, DAY2);
      expect(plan.base).toBe(DAY1);
      expect(plan.requests.byBucket).toEqual(run.requests.byBucket);
      expect(plan.requests.byEndpoint).toEqual(run.requests.byEndpoint);
      expect(plan.requests.total).toBe(requests);
      expect(plan.byReason.check).toBe(run.changeChecks);
    },
    60_000,
  );

  it("counts a cold day's known new work, and names the buckets a cap would stop", async () => {
    // Prepare
    const home = homeAt("plan-cold");
    server.resetStats();
    // Act
    const plan = await planRequests({
      config: config(SOURCES, { quota: { search: { maxRequestsPerDay: 0 } } }),
      date: DAY1,
      store: home.raw,
      userToken: false,
    });
    // Assess
    expect(plan.base).toBeNull();
    expect(plan.objects.new).toBeGreaterThan(0);
    expect(plan.requests.byBucket["artist-albums"]).toBeGreaterThanOrEqual(IDS.artists.length);
    expect(plan.overBudget).toEqual([{ bucket: "search", requests: plan.requests.byBucket.search, cap: 0 }]);
    expect(server.stats().requests).toBe(0);
  });
});

describe("incremental extract: ETag and If-None-Match", () => {
  it("keeps a playlist's ETag as _etag, asks with If-None-Match the next day, and carries it forward on a 304", async () => {
    // Prepare: a proxy in front of the sample API that gives playlists an ETag and answers 304 when it still matches.
    let notModified = 0;
    const proxy = createServer(async (req, res) => {
      const upstream = await fetch(`${server.apiBaseUrl}${req.url?.replace(/^\/v1/, "")}`, {
        headers: { authorization: req.headers.authorization ?? "" },
      });
      const text = (await upstream.text()).replaceAll(server.apiBaseUrl, proxyBase);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (upstream.ok && /^\/v1\/playlists\/[^/?]+(\?|$)/.test(req.url ?? "")) {
        headers.etag = `"${createHash("sha256").update(text).digest("hex").slice(0, 16)}"`;
        if (req.headers["if-none-match"] === headers.etag) {
          notModified++;
          res.writeHead(304, headers).end();
          return;
        }
      }
      res.writeHead(upstream.status, headers).end(text);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxyBase = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`;
    const home = homeAt("etag");
    const day = (date: string) =>
      runExtract({
        config: config({ playlists: IDS.playlists }),
        date,
        store: home.raw,
        spotify: { ...sampleEnv(server), apiBaseUrl: proxyBase },
        dataSource: "sample",
        now: nowOf(date),
        client: FAST_CLIENT,
      });
    try {
      // Act
      await day(DAY1);
      await day(DAY2);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
    // Assess
    const [first] = await readLines(home.raw, `playlists/dt=${DAY1}/`);
    expect(first?._etag).toMatch(/^"[0-9a-f]{16}"$/);
    const m2 = await manifestOf(home, DAY2);
    expect(notModified).toBe(1);
    expect(m2.requests.total).toBe(1);
    expect(m2.notModified).toBe(1);
    expect(m2.changeChecks).toBe(1);
    const [carried] = await readLines(home.raw, `playlists/dt=${DAY2}/`);
    expect(carried).toEqual({ ...first, _carried_from: DAY1 });
  });
});
