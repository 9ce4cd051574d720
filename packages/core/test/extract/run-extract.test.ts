import { deriveId, SAMPLE_USER_ID } from "@tunelake/sample-api/sample-data";
import {
  type SampleFaults,
  type SampleServer,
  type SampleServerOptions,
  sampleEnv,
  startSampleServer,
} from "@tunelake/sample-api/sample-server";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigInput } from "../../src/config/schema.ts";
import {
  ConfigError,
  InputError,
  SpotifyAuthError,
  SpotifyQuotaExceededError,
  SpotifyServerError,
} from "../../src/errors.ts";
import type { ExtractManifest } from "../../src/extract/manifest.ts";
import { type RunExtractOptions, runExtract } from "../../src/extract/run-extract.ts";
import { manifestKey, RAW_ENTITIES, rawPrefix, rejectsKey } from "../../src/lake.ts";
import type { FsObjectStore } from "../../src/storage/fs-store.ts";
import { config, DATE, FAST_CLIENT, FIXED_NOW, IDS, type Loose, readLines, tempStore } from "./helpers.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function setup(options: SampleServerOptions = {}) {
  const server = await startSampleServer(options);
  const { store, cleanup } = await tempStore();
  cleanups.push(() => server.close(), cleanup);
  return { server, store };
}

function extract(
  server: SampleServer,
  store: FsObjectStore,
  sources: ConfigInput["sources"],
  extractOptions: ConfigInput["extract"] = {},
  withUser = false,
  more: Partial<RunExtractOptions> = {},
) {
  return runExtract({
    config: config(sources, extractOptions),
    date: DATE,
    store,
    spotify: sampleEnv(server, withUser),
    dataSource: "sample",
    now: FIXED_NOW,
    client: FAST_CLIENT,
    ...more,
  });
}

/** Every raw part of the date in the store, listed or not. */
async function rawKeys(store: FsObjectStore): Promise<string[]> {
  return (await Promise.all(RAW_ENTITIES.map((e) => store.list(rawPrefix(e, DATE))))).flat();
}

/** Every published line of the date per raw entity and rejects file, sorted (part names and order are the writer's). */
async function dayLines(store: FsObjectStore, base: string): Promise<Record<string, string[]>> {
  const m = await manifest(store);
  const out: Record<string, string[]> = {};
  const add = async (name: string, key: string) => {
    // A playlist's `_etag` is the server's (it hashes a body that names the server's own port).
    const lines = (await readLines(store, key)).map(({ _etag, ...l }) => JSON.stringify(l).replaceAll(base, "BASE"));
    out[name] = [...(out[name] ?? []), ...lines].sort();
  };
  for (const key of m.keys) await add(key.split("/")[0] ?? key, key);
  for (const key of m.rejects.keys) await add(key, key);
  return out;
}

/** The manifest and every object it lists, as bytes. */
async function published(store: FsObjectStore): Promise<Record<string, string>> {
  const m = await manifest(store);
  const out: Record<string, string> = { [manifestKey(DATE)]: JSON.stringify(m) };
  for (const key of [...m.keys, ...m.rejects.keys]) out[key] = (await store.get(key))?.toString("base64") ?? "";
  return out;
}

async function manifest(store: FsObjectStore): Promise<ExtractManifest> {
  return JSON.parse((await store.get(manifestKey(DATE)))?.toString() ?? "{}");
}

const apiRequests = (server: SampleServer) =>
  server.stats().requests - (server.stats().byEndpoint["POST /api/token"] ?? 0);

const ALL_SOURCES: ConfigInput["sources"] = {
  ...IDS,
  searches: [{ query: "tag:new", type: "album", limit: 25 }],
  user: { recentlyPlayed: true, topTracks: ["short_term"], topArtists: ["long_term"] },
};

describe("runExtract: access profiles and shapes", () => {
  it.each([
    ["development", "2025", "development"],
    ["development", "2026", "development"],
    ["development", "2026", "auto"],
    ["extended", "2025", "extended"],
    ["extended", "2026", "extended"],
    ["extended", "2025", "auto"],
  ] as const)(
    "server %s, shape %s, config %s: writes every source completely",
    async (profile, shape, accessProfile) => {
      // Prepare
      const { server, store } = await setup({ profile, shape });
      const data = server.data;
      const artistAlbums = IDS.artists.flatMap((a) => data.artistAlbumIds(a, ["album", "single"]).slice(0, 50));
      const albumIds = new Set([...IDS.albums, ...artistAlbums]);
      const albumTracks = [...albumIds].reduce((n, id) => n + data.albumFacts(id).totalTracks, 0);
      // Act
      const result = await extract(server, store, ALL_SOURCES, { accessProfile }, true);
      // Assess
      expect(result.accessProfile).toBe(profile);
      expect(result.objects).toMatchObject({
        artists: IDS.artists.length,
        artist_albums: artistAlbums.length,
        albums: albumIds.size,
        album_tracks: albumTracks,
        tracks: IDS.tracks.length,
        playlists: 1,
        search_results: 25,
        recently_played: 50,
        top_items: 100,
      });
      const entries = await readLines(store, rawPrefix("playlist_items", DATE));
      if (profile === "extended") {
        expect(entries).toHaveLength(data.playlistTotal(IDS.playlists[0]!));
        expect(entries[0]).toHaveProperty(shape === "2026" ? "item" : "track");
      } else {
        expect(entries).toHaveLength(0);
        expect((await manifest(store)).skipped.join()).toMatch(/playlist entries/);
      }
      expect(result.requests).toBe(apiRequests(server));
      expect(result.dataSource).toBe("sample");
    },
  );

  it("uses batch endpoints in extended and per-id calls in development", async () => {
    // Prepare
    const ext = await setup({ profile: "extended" });
    const dev = await setup({ profile: "development" });
    const sources = { tracks: IDS.tracks, albums: IDS.albums };
    // Act
    await extract(ext.server, ext.store, sources, { accessProfile: "extended" });
    await extract(dev.server, dev.store, sources, { accessProfile: "development" });
    // Assess
    expect(ext.server.stats().byEndpoint).toMatchObject({ "GET /tracks": 1, "GET /albums": 1 });
    expect(ext.server.stats().byEndpoint["GET /tracks/{id}"]).toBeUndefined();
    expect(dev.server.stats().byEndpoint).toMatchObject({ "GET /tracks/{id}": 2, "GET /albums/{id}": 1 });
    expect(dev.server.stats().byEndpoint["GET /tracks"]).toBeUndefined();
  });

  it("auto probes a refused capability once and remembers the fallback", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development" });
    const tracks = Array.from({ length: 120 }, (_, i) => `${String(i).padStart(3, "0")}${IDS.tracks[0]!.slice(3)}`);
    // Act
    const result = await extract(server, store, { tracks }, { accessProfile: "auto", concurrency: 8 });
    // Assess
    expect(server.stats().byEndpoint["GET /tracks"]).toBe(1);
    expect(server.stats().byEndpoint["GET /tracks/{id}"]).toBe(120);
    expect(result.accessProfile).toBe("development");
    expect((await manifest(store)).capabilities.batchTracks).toBe("no");
  });
});

describe("runExtract: sources", () => {
  it.each([
    ["artists", { artists: IDS.artists, extractOpts: { maxAlbumsPerArtist: 0 } }, ["artists"]],
    ["artists with albums", { artists: [IDS.artists[0]] }, ["artists", "artist_albums", "albums", "album_tracks"]],
    ["albums", { albums: IDS.albums }, ["albums", "album_tracks"]],
    ["tracks", { tracks: IDS.tracks }, ["tracks"]],
    ["playlists", { playlists: IDS.playlists }, ["playlists", "playlist_items"]],
    ["searches", { searches: [{ query: "genre:jazz", type: "track", limit: 12 }] }, ["search_results"]],
    ["user", { user: { recentlyPlayed: true, topArtists: ["medium_term"] } }, ["recently_played", "top_items"]],
  ] as const)("%s writes only its entities", async (_name, input, entities) => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    const { extractOpts, ...sources } = { extractOpts: {}, ...input } as Loose;
    // Act
    const result = await extract(server, store, sources, extractOpts, true);
    // Assess
    const written = Object.entries(result.objects)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([e]) => e)
      .sort();
    expect(written).toEqual([...entities].sort());
    expect(result.keys.every((k) => k.endsWith(".ndjson.gz"))).toBe(true);
  });

  it("adds provenance fields to each object it keeps as returned", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    // Act
    await extract(server, store, { artists: [IDS.artists[0]!], searches: [{ query: "q", type: "artist", limit: 3 }] });
    // Assess
    const [artist] = await readLines(store, rawPrefix("artists", DATE));
    const albums = await readLines(store, rawPrefix("artist_albums", DATE));
    const tracks = await readLines(store, rawPrefix("album_tracks", DATE));
    const search = await readLines(store, rawPrefix("search_results", DATE));
    expect(artist).toMatchObject({
      id: IDS.artists[0],
      _fetched_at: "2026-11-21T06:00:00.000Z",
      _source: `artist:${IDS.artists[0]}`,
    });
    expect(albums[0]).toMatchObject({ _artist_id: IDS.artists[0] });
    expect(tracks[0]).toMatchObject({ _position: 0 });
    expect(tracks[0]?._album_id).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(search.map((s) => s._rank)).toEqual([1, 2, 3]);
    expect(search[0]).toMatchObject({ _query: "q", _search_type: "artist" });
  });

  it("keeps null entries, episodes and local files of a playlist as data", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended", shape: "2026" });
    // Act
    await extract(server, store, { playlists: IDS.playlists });
    // Assess
    const entries = await readLines(store, rawPrefix("playlist_items", DATE));
    expect(entries.map((e) => e._position)).toEqual(entries.map((_, i) => i));
    expect(entries.some((e) => e.item === null)).toBe(true);
    expect(entries.some((e) => e.item?.type === "episode")).toBe(true);
    expect(entries.some((e) => e.item?.is_local === true)).toBe(true);
  });

  it.each([
    ["owned by the user", true],
    ["owned by someone else", false],
  ])("reads the entries of a playlist %s with the user's token in development: %s", async (_case, owned) => {
    // Prepare: a playlist id whose sample owner is (or is not) the sample user.
    const { server, store } = await setup({ profile: "development" });
    const id = Array.from({ length: 200 }, (_, i) => deriveId("owner-test", "playlist", i)).find(
      (candidate) => (server.data.playlistOwner(candidate) === SAMPLE_USER_ID) === owned,
    )!;

    // Act
    const result = await extract(server, store, { playlists: [id] }, {}, true);

    // Assess
    const entries = await readLines(store, rawPrefix("playlist_items", DATE));
    expect(result.objects.playlists).toBe(1);
    if (owned) {
      expect(entries).toHaveLength(server.data.playlistTotal(id));
      expect(entries.every((e) => e._playlist_id === id)).toBe(true);
    } else {
      expect(entries).toHaveLength(0);
      expect((await manifest(store)).skipped.join()).toMatch(/SPOTIFY_REFRESH_TOKEN/);
    }
  });

  it("rejects an editorial playlist that development cannot read, and carries on", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development" });
    // Act
    const result = await extract(server, store, { playlists: ["37i9dQZEVXbMDoHDwVN2tF", ...IDS.playlists] });
    // Assess
    expect(result.objects.playlists).toBe(1);
    expect(result.rejects).toBe(1);
    expect(Object.keys((await manifest(store)).rejects.reasons).join()).toMatch(/404/);
  });

  it("skips user sources without a refresh token and says how to get one", async () => {
    // Prepare
    const { server, store } = await setup();
    // Act
    const result = await extract(server, store, { tracks: IDS.tracks, user: { recentlyPlayed: true } });
    // Assess
    expect(result.objects.recently_played).toBe(0);
    expect((await manifest(store)).skipped.join()).toMatch(/tunelake auth/);
    expect(Object.keys(server.stats().byEndpoint).some((e) => e.includes("/me/"))).toBe(false);
  });

  it("fetches an id named by several sources once", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development" });
    const artist = IDS.artists[0]!;
    const artistAlbum = server.data.artistAlbumIds(artist, ["album", "single"])[0]!;
    // Act
    const result = await extract(
      server,
      store,
      {
        artists: [artist, artist],
        albums: [artistAlbum, IDS.albums[0]!, artistAlbum],
        tracks: [IDS.tracks[0]!, IDS.tracks[0]!],
      },
      { accessProfile: "development" },
    );
    // Assess
    const albums = await readLines(store, rawPrefix("albums", DATE));
    const albumIds = albums.map((a) => a.id);
    expect(new Set(albumIds).size).toBe(albumIds.length);
    expect(server.stats().byEndpoint["GET /albums/{id}"]).toBe(albumIds.length);
    expect(server.stats().byEndpoint["GET /artists/{id}"]).toBe(1);
    expect(server.stats().byEndpoint["GET /tracks/{id}"]).toBe(1);
    expect(albums.find((a) => a.id === artistAlbum)?._source).toBe(`album:${artistAlbum}`);
    expect(result.objects.tracks).toBe(1);
  });
});

describe("runExtract: faults", () => {
  const SOURCES: ConfigInput["sources"] = { ...IDS, searches: [{ query: "tag:new", type: "album", limit: 15 }] };

  it.each<[string, SampleFaults]>([
    ["429 with Retry-After", { rateLimit: { count: 5, retryAfterSeconds: 0 } }],
    ["5xx", { serverError: { count: 5, status: 503 } }],
    ["malformed JSON", { malformed: { count: 5 } }],
    ["slow responses", { slow: { ms: 30 } }],
  ])("after %s the raw zone is complete", async (_name, faults) => {
    // Prepare
    const clean = await setup({ profile: "extended" });
    await extract(clean.server, clean.store, SOURCES);
    const { server, store } = await setup({ profile: "extended", faults });
    // Act
    const result = await extract(server, store, SOURCES);
    // Assess: the same lines (links name each server's own port, so compare with the base URL taken out)
    const expected = await dayLines(clean.store, clean.server.apiBaseUrl);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(await dayLines(store, server.apiBaseUrl)).toEqual(expected);
    if (!faults.slow) expect(result.retries).toBeGreaterThanOrEqual(5);
  });

  it.each<[string, SampleFaults, ConfigInput["extract"], RegExp, new (...args: never[]) => Error]>([
    ["QUOTA_EXCEEDED", { quota: true }, {}, /QUOTA_EXCEEDED.*Retry after/s, SpotifyQuotaExceededError],
    [
      "Retry-After above the ceiling",
      { rateLimit: { count: 1, retryAfterSeconds: 3600 } },
      { maxRetryAfterSeconds: 60 },
      /raise extract\.maxRetryAfterSeconds/,
      SpotifyQuotaExceededError,
    ],
    [
      "5xx that does not stop",
      { serverError: { count: 1000 } },
      { maxRetries: 1 },
      /run again later/,
      SpotifyServerError,
    ],
  ])("%s stops the run with an error that says what to do", async (_name, faults, extractOpts, message, type) => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    await extract(server, store, SOURCES);
    const before = await published(store);
    server.setFaults(faults);
    // Act
    const error = await extract(server, store, SOURCES, extractOpts).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(type);
    expect((error as Error).name).toBe(type.name);
    expect((error as Error).message).toMatch(message);
    // The published day is untouched: the failed rerun's work is only in its checkpoint.
    expect(await published(store)).toEqual(before);
  });

  it("stops on refused credentials with SpotifyAuthError", async () => {
    // Prepare
    const { server, store } = await setup();
    // Act
    const act = runExtract({
      config: config(SOURCES),
      date: DATE,
      store,
      spotify: { ...sampleEnv(server), clientSecret: "not-the-secret" },
    });
    // Assess
    await expect(act).rejects.toThrow(SpotifyAuthError);
    await expect(act).rejects.toThrow(/SPOTIFY_CLIENT_SECRET/);
  });

  it("sends schema-invalid items to rejects and counts them in the manifest", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended", faults: { invalidItems: true } });
    // Act
    const result = await extract(server, store, { ...SOURCES, artists: [IDS.artists[0]!] });
    // Assess
    const m = await manifest(store);
    const rejected = await readLines(store, rejectsKey(DATE, "album_tracks"));
    expect(result.rejects).toBeGreaterThan(0);
    expect(m.rejects.count).toBe(result.rejects);
    expect(Object.values(m.rejects.byEntity).reduce((a, b) => a + (b ?? 0), 0)).toBe(result.rejects);
    expect(rejected[0]).toMatchObject({ _reason: expect.stringMatching(/id/), item: { id: 12345 } });
    const tracks = await readLines(store, rawPrefix("album_tracks", DATE));
    expect(tracks.every((t) => typeof t.id === "string")).toBe(true);
    expect(tracks.length + (m.rejects.byEntity.album_tracks ?? 0)).toBe(
      [...new Set(tracks.map((t) => t._album_id))].reduce((n, id) => n + server.data.albumFacts(id).totalTracks, 0),
    );
  });
});

describe("runExtract: reruns and validation", () => {
  it("writes the same lines when a date is run again, under new part names, and removes the old parts", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    await extract(server, store, ALL_SOURCES, {}, true);
    const first = await dayLines(store, server.apiBaseUrl);
    const firstKeys = (await manifest(store)).keys;
    // Act
    await extract(server, store, ALL_SOURCES, {}, true);
    // Assess
    expect(await dayLines(store, server.apiBaseUrl)).toEqual(first);
    const keys = (await manifest(store)).keys;
    expect(keys.filter((k) => firstKeys.includes(k))).toEqual([]);
    expect((await rawKeys(store)).sort()).toEqual([...keys].sort());
  });

  it("removes the date's raw parts of sources that are gone", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    await extract(server, store, { tracks: IDS.tracks, playlists: IDS.playlists });
    // Act
    await extract(server, store, { tracks: IDS.tracks });
    // Assess
    expect(await store.list(rawPrefix("playlists", DATE))).toEqual([]);
    expect(await store.list(rawPrefix("tracks", DATE))).toHaveLength(1);
  });

  it("splits an entity into parts", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    // Act
    const result = await runExtract({
      config: config({ albums: IDS.albums }),
      date: DATE,
      store,
      spotify: sampleEnv(server),
      partSize: 3,
    });
    // Assess
    const tracks = result.objects.album_tracks ?? 0;
    expect(await store.list(rawPrefix("album_tracks", DATE))).toHaveLength(Math.ceil(tracks / 3));
    expect(await readLines(store, rawPrefix("album_tracks", DATE))).toHaveLength(tracks);
  });

  it("writes a manifest with sources, counts, requests and timestamps", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "extended" });
    // Act
    const result = await extract(server, store, { tracks: IDS.tracks });
    // Assess
    const m = await manifest(store);
    expect(m).toMatchObject({
      date: DATE,
      dataSource: "sample",
      accessProfile: "extended",
      requestedAccessProfile: "auto",
      startedAt: "2026-11-21T06:00:00.000Z",
      finishedAt: "2026-11-21T06:00:00.000Z",
      sources: { tracks: IDS.tracks },
      objects: { tracks: 2 },
      requests: { total: 1, byEndpoint: { "GET /tracks": 1 } },
      retries: 0,
      rejects: { count: 0 },
    });
    expect(result.manifestKey).toBe(manifestKey(DATE));
  });

  it.each([
    ["a malformed id", { config: { sources: { tracks: ["not-an-id"] } }, date: DATE }, /not a Spotify id/],
    ["an unknown key", { config: { sources: { trakcs: [] } }, date: DATE }, /trakcs/],
    ["an impossible date", { config: { sources: {} }, date: "2026-02-30" }, /2026-02-30/],
  ])("refuses %s with a bad-input error before any request", async (_name, input, message) => {
    // Prepare
    const { server, store } = await setup();
    // Act
    const act = runExtract({
      config: input.config as never,
      date: input.date,
      store,
      spotify: sampleEnv(server),
    });
    // Assess
    // A bad config is a ConfigError, a bad run date an InputError: both bad input (the CLI exits 2).
    await expect(act).rejects.toMatchObject({ badInput: true });
    await expect(act).rejects.toThrow(input.date === "2026-02-30" ? InputError : ConfigError);
    await expect(act).rejects.toThrow(message);
    expect(server.stats().requests).toBe(0);
  });
});

describe("runExtract: checkpoints, time slices and atomic publish", () => {
  const SOURCES: ConfigInput["sources"] = { ...IDS, searches: [{ query: "tag:new", type: "album", limit: 15 }] };
  const DEVELOPMENT = { accessProfile: "development" } as const;
  /**
   * A slice whose deadline arrives once the server has answered `afterRequests` more API requests (a Lambda context
   * whose time runs out early, as the local engine's extract-crash fault gives): no unit starts after that.
   */
  const interrupted = (server: SampleServer, store: FsObjectStore, afterRequests: number) => {
    const start = apiRequests(server);
    const abandonAt = Date.now() + 600_000;
    const slice = {
      get stopAt() {
        return apiRequests(server) - start >= afterRequests ? 0 : abandonAt;
      },
      abandonAt,
    };
    return extract(server, store, SOURCES, DEVELOPMENT, false, { slice });
  };

  it("resumes a slice interrupted mid-way without repeating finished requests, with the same lines as a clean run", async () => {
    // Prepare
    const clean = await setup({ profile: "development" });
    await extract(clean.server, clean.store, SOURCES, DEVELOPMENT);
    const minimum = apiRequests(clean.server);
    const { server, store } = await setup({ profile: "development", latencyMs: 100 });
    // Act
    const stopped = await interrupted(server, store, Math.floor(minimum / 2));
    const afterStop = apiRequests(server);
    const result = await extract(server, store, SOURCES, DEVELOPMENT);
    // Assess
    expect(stopped.done).toBe(false);
    // The units in flight at the deadline finished (a page or two each) before the slice checkpointed.
    expect(afterStop).toBeGreaterThanOrEqual(Math.floor(minimum / 2));
    expect(afterStop).toBeLessThan(minimum);
    expect(result.done).toBe(true);
    // Nothing finished is asked again.
    expect(apiRequests(server)).toBe(minimum);
    expect(await dayLines(store, server.apiBaseUrl)).toEqual(await dayLines(clean.store, clean.server.apiBaseUrl));
    expect((await manifest(store)).requests.total).toBe(minimum);
  });

  it("never publishes an interrupted extract: no manifest on a first run, the previous day intact on a rerun", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development", latencyMs: 100 });
    // Act: a first run of the date that stops early
    await interrupted(server, store, 10);
    // Assess
    expect(await store.get(manifestKey(DATE))).toBeUndefined();
    expect((await store.list("_checkpoints/")).length).toBeGreaterThan(0);
    // Prepare: the date published, then a rerun that stops early
    await extract(server, store, SOURCES, DEVELOPMENT);
    const before = await published(store);
    // Act
    await interrupted(server, store, 10);
    // Assess: the manifest lists only the published parts; the dead rerun's parts are beside it, unlisted
    expect(await published(store)).toEqual(before);
    const listed = new Set((await manifest(store)).keys);
    expect((await rawKeys(store)).some((k) => !listed.has(k))).toBe(true);
    // Act: the rerun continues and publishes; nothing unlisted is left
    await extract(server, store, SOURCES, DEVELOPMENT);
    const after = (await rawKeys(store)).sort();
    expect(after).toEqual([...(await manifest(store)).keys].sort());
    expect(await store.list("_checkpoints/dt=2026-11-20/rejects/")).toEqual([]);
  });

  it("a slice past its deadline returns done false; the next continues from the checkpoint and finishes", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development", latencyMs: 100 });
    const slice = (ms: number) => ({ stopAt: Date.now() + ms, abandonAt: Date.now() + ms * 2 });
    const run = (ms: number) =>
      extract(server, store, SOURCES, DEVELOPMENT, false, { slice: slice(ms), execution: "exec-1" });
    // Act
    const first = await run(30);
    const results = [first];
    while (!results.at(-1)?.done && results.length < 50) results.push(await run(60_000));
    // Assess
    expect(first.done).toBe(false);
    expect(first.waitSeconds).toBe(0);
    expect(results.at(-1)?.done).toBe(true);
    expect((await manifest(store)).slices).toBe(results.length);
    // A finished checkpoint of the same execution is not redone (a retried last slice).
    const again = await run(60_000);
    expect(again).toMatchObject({ done: true, requests: results.at(-1)?.requests });
  });

  it("hands a long Retry-After to the state machine instead of sleeping, then continues", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development" });
    server.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 60 } });
    const run = () =>
      extract(server, store, SOURCES, { ...DEVELOPMENT, sleepRetryAfterSeconds: 5 }, false, {
        slice: { stopAt: Date.now() + 60_000, abandonAt: Date.now() + 70_000 },
      });
    // Act
    const started = Date.now();
    const first = await run();
    const second = await run();
    // Assess
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(first).toMatchObject({ done: false, waitSeconds: 60 });
    expect(second.done).toBe(true);
  });

  it("starts over when asked to refetch by another execution", async () => {
    // Prepare
    const { server, store } = await setup({ profile: "development" });
    expect((await interrupted(server, store, 10)).done).toBe(false);
    const before = apiRequests(server);
    // Act
    await extract(server, store, SOURCES, DEVELOPMENT, false, { execution: "exec-2", refetch: true });
    // Assess
    const clean = await setup({ profile: "development" });
    await extract(clean.server, clean.store, SOURCES, DEVELOPMENT);
    expect(apiRequests(server) - before).toBe(apiRequests(clean.server));
  });
});
