import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransformError } from "../../src/errors.ts";
import {
  CURATED_TABLES,
  type CuratedTable,
  columnStatsKey,
  curatedKey,
  type RawEntity,
  rawKey,
  rejectsKey,
  tableStatsKey,
  transformReportKey,
} from "../../src/lake.ts";
import type { TransformResult } from "../../src/pipeline-types.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import type { ObjectStore } from "../../src/storage/object-store.ts";
import { runTransform, transformAll } from "../../src/transform/run-transform.ts";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const DATE = "2026-11-20";
/** A date whose raw zone holds only artists: every other raw entity has no files. */
const SPARSE_DATE = "2026-11-21";

let dir: string;
let raw: FsObjectStore;
let curated: FsObjectStore;
let results: TransformResult[];
let duck: DuckDBInstance;
let db: DuckDBConnection;

async function writeFixtures(date: string, only?: RawEntity[]): Promise<void> {
  for (const file of await readdir(FIXTURES)) {
    const entity = file.replace(".ndjson", "") as RawEntity;
    if (only && !only.includes(entity)) continue;
    await raw.put(rawKey(entity, date, 0), gzipSync(await readFile(path.join(FIXTURES, file))));
  }
}

/** Rows of a query over the curated Parquet of `date`, tables referenced by name. */
async function rows(sql: string, date = DATE): Promise<Record<string, unknown>[]> {
  const views = CURATED_TABLES.map(
    (t) =>
      `CREATE OR REPLACE TEMP VIEW ${t} AS SELECT * FROM read_parquet('${curated.localPath(curatedKey(t, date))}', hive_partitioning = false);`,
  );
  await db.run(views.join("\n"));
  return (await db.runAndReadAll(sql)).getRowObjectsJson();
}

const byTable = (list: TransformResult[]) => Object.fromEntries(list.flatMap((r) => r.tables.map((t) => [t.table, t])));

beforeAll(async () => {
  // Prepare
  dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-transform-"));
  raw = new FsObjectStore(path.join(dir, "raw"));
  curated = new FsObjectStore(path.join(dir, "curated"));
  await writeFixtures(DATE);
  await writeFixtures(SPARSE_DATE, ["artists"]);
  duck = await DuckDBInstance.create(":memory:");
  db = await duck.connect();
  // Act
  results = await transformAll({ date: DATE, raw, curated, workDir: path.join(dir, "work"), threads: 2 });
});

afterAll(async () => {
  db?.closeSync();
  duck?.closeSync();
  await rm(dir, { recursive: true, force: true });
});

describe("transformAll on every raw shape", () => {
  it.each([
    [
      "artists: full objects, the most recent fetch wins (top item 11:00 over artist 10:00 over 09:00)",
      "SELECT name, genres, popularity, followers FROM artists WHERE artist_id = 'ar1'",
      [{ name: "Artist One", genres: ["pop"], popularity: 71, followers: "1300" }],
    ],
    [
      "artists: fields Spotify removed are NULL; padded strings trimmed",
      "SELECT name, genres, popularity, followers, image_url FROM artists WHERE artist_id = 'ar2'",
      [{ name: "Artist Two", genres: null, popularity: null, followers: null, image_url: null }],
    ],
    [
      "artists: seen only as simplified artists in tracks and albums still get a row",
      "SELECT artist_id, name, popularity FROM artists WHERE artist_id IN ('ar3', 'ar4', 'ar5', 'ar6') ORDER BY 1",
      ["ar3", "ar4", "ar5", "ar6"].map((id) => ({ artist_id: id, name: `Artist ${id}`, popularity: null })),
    ],
    [
      "artists: from a search page",
      "SELECT name, genres, followers FROM artists WHERE artist_id = 'ar7'",
      [{ name: "Searched Artist", genres: ["jazz"], followers: "7" }],
    ],
    [
      "albums: each release date precision, first day of the period; 0000 is an unknown date",
      "SELECT album_id, release_date, release_date_precision, release_year FROM albums WHERE album_id IN ('al1', 'al2', 'al3', 'al4', 'al6') ORDER BY 1",
      [
        { album_id: "al1", release_date: "2020-05-17", release_date_precision: "day", release_year: 2020 },
        { album_id: "al2", release_date: "1999-01-01", release_date_precision: "year", release_year: 1999 },
        { album_id: "al3", release_date: "2011-03-01", release_date_precision: "month", release_year: 2011 },
        { album_id: "al4", release_date: null, release_date_precision: "year", release_year: null },
        { album_id: "al6", release_date: "2025-02-01", release_date_precision: "month", release_year: 2025 },
      ],
    ],
    [
      "albums: label kept, removed label NULL, blank label NULL",
      "SELECT album_id, label, popularity, upc FROM albums WHERE album_id IN ('al1', 'al2', 'al3') ORDER BY 1",
      [
        { album_id: "al1", label: "Label One", popularity: 50, upc: "00001" },
        { album_id: "al2", label: null, popularity: null, upc: "00002" },
        { album_id: "al3", label: null, popularity: null, upc: null },
      ],
    ],
    [
      "albums: from artist albums, search pages and tracks (simplified only)",
      "SELECT album_id, name FROM albums WHERE album_id IN ('al5', 'al6', 'al7', 'al8') ORDER BY 1",
      ["al5", "al6", "al7", "al8"].map((id) => ({ album_id: id, name: `Album ${id}` })),
    ],
    [
      "albums: an unparseable release_date is NULL (with its year), the album is kept",
      "SELECT album_id, name, release_date, release_year, total_tracks FROM albums WHERE album_id = 'al_bad'",
      [{ album_id: "al_bad", name: "Album al_bad", release_date: null, release_year: null, total_tracks: 2 }],
    ],
    [
      "album_artists: positions from the album's artist list",
      "SELECT album_id, artist_id, artist_position FROM album_artists WHERE album_id IN ('al2', 'al7') ORDER BY 1, 3",
      [
        { album_id: "al2", artist_id: "ar2", artist_position: 0 },
        { album_id: "al2", artist_id: "ar1", artist_position: 1 },
        { album_id: "al7", artist_id: "ar5", artist_position: 0 },
      ],
    ],
    [
      "tracks: full TrackObject, newest duplicate wins",
      "SELECT name, album_id, duration_ms, explicit, isrc, popularity, is_local FROM tracks WHERE track_id = 't1'",
      [
        {
          name: "Track t1",
          album_id: "al1",
          duration_ms: 215000,
          explicit: true,
          isrc: "ISRCt1",
          popularity: 60,
          is_local: false,
        },
      ],
    ],
    [
      "tracks: simplified album tracks get album_id from _album_id and from the album's page",
      "SELECT track_id, album_id, track_number, isrc FROM tracks WHERE track_id IN ('t2', 't3', 't4') ORDER BY 1",
      [
        { track_id: "t2", album_id: "al1", track_number: 2, isrc: null },
        { track_id: "t3", album_id: "al2", track_number: 1, isrc: null },
        { track_id: "t4", album_id: "al3", track_number: 1, isrc: null },
      ],
    ],
    [
      "tracks: seen only in a playlist entry, a search page, recently played",
      "SELECT track_id, album_id FROM tracks WHERE track_id IN ('t6', 't7', 't8') ORDER BY 1",
      [
        { track_id: "t6", album_id: "al7" },
        { track_id: "t7", album_id: "al8" },
        { track_id: "t8", album_id: "al1" },
      ],
    ],
    [
      "tracks: episodes and local files are not tracks",
      "SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE track_id = 'ep1' OR is_local)::INTEGER AS other FROM tracks",
      [{ n: 8, other: 0 }],
    ],
    [
      "track_artists: complete for tracks seen only inside albums; positions kept",
      "SELECT track_id, artist_id, artist_position FROM track_artists WHERE track_id IN ('t2', 't5') ORDER BY 1, 3",
      [
        { track_id: "t2", artist_id: "ar1", artist_position: 0 },
        { track_id: "t2", artist_id: "ar3", artist_position: 1 },
        { track_id: "t5", artist_id: "ar4", artist_position: 0 },
        { track_id: "t5", artist_id: "ar1", artist_position: 1 },
      ],
    ],
    [
      "playlists: pre-2026 tracks.total, 2026 items.total, simplified from search; blank description NULL",
      "SELECT playlist_id, owner_id, public, collaborative, total_items, description FROM playlists ORDER BY 1",
      [
        {
          playlist_id: "pl1",
          owner_id: "owner1",
          public: true,
          collaborative: false,
          total_items: 3,
          description: null,
        },
        {
          playlist_id: "pl2",
          owner_id: "owner2",
          public: false,
          collaborative: true,
          total_items: 5,
          description: null,
        },
        {
          playlist_id: "pl4",
          owner_id: "owner4",
          public: null,
          collaborative: false,
          total_items: 10,
          description: null,
        },
      ],
    ],
    [
      "playlist_items: pre-2026 entries embedded in the playlist (track, episode, removed track)",
      "SELECT position, item_id, item_type, added_by FROM playlist_items WHERE playlist_id = 'pl1' ORDER BY 1",
      [
        { position: 0, item_id: "t1", item_type: "track", added_by: "owner1" },
        { position: 1, item_id: "ep1", item_type: "episode", added_by: "owner1" },
        { position: 2, item_id: null, item_type: null, added_by: null },
      ],
    ],
    [
      "playlist_items: 2026 `item` entries, newest duplicate, local file, removed track, `track` entry with offset",
      "SELECT position, item_id, item_type, item_uri, is_local, added_at FROM playlist_items WHERE playlist_id = 'pl2' ORDER BY 1",
      [
        {
          position: 0,
          item_id: "t6",
          item_type: "track",
          item_uri: "spotify:track:t6",
          is_local: false,
          added_at: "2026-11-01 12:00:00",
        },
        {
          position: 1,
          item_id: "ep1",
          item_type: "episode",
          item_uri: "spotify:episode:ep1",
          is_local: false,
          added_at: "2026-11-01 12:00:00",
        },
        {
          position: 2,
          item_id: null,
          item_type: "track",
          item_uri: "spotify:local:Local+Artist:Local+Album:Local+Song:180",
          is_local: true,
          added_at: "2026-11-01 12:00:00",
        },
        {
          position: 3,
          item_id: null,
          item_type: null,
          item_uri: null,
          is_local: false,
          added_at: "2026-11-01 12:00:00",
        },
        {
          position: 4,
          item_id: "t1",
          item_type: "track",
          item_uri: "spotify:track:t1",
          is_local: false,
          added_at: "2026-11-03 06:30:00",
        },
        {
          // An unparseable added_at is NULL, the entry is kept (validation by identity).
          position: 6,
          item_id: "t6",
          item_type: "track",
          item_uri: "spotify:track:t6",
          is_local: false,
          added_at: null,
        },
      ],
    ],
    [
      "search_results: one row per (query, type, rank), newest wins",
      "SELECT query, search_type, rank, item_id FROM search_results ORDER BY 1, 2, 3",
      [
        { query: "q", search_type: "artist", rank: 0, item_id: "ar7" },
        { query: "q", search_type: "playlist", rank: 0, item_id: "pl4" },
        { query: "q", search_type: "track", rank: 0, item_id: "t7" },
        { query: "tag:new", search_type: "album", rank: 0, item_id: "al1" },
        { query: "tag:new", search_type: "album", rank: 1, item_id: "al8" },
      ],
    ],
    [
      "plays: one row per played_at + track, timestamps to the millisecond",
      "SELECT played_at, track_id, context_uri FROM plays ORDER BY 1",
      [
        { played_at: "2026-11-19 21:00:00.123", track_id: "t1", context_uri: "spotify:playlist:pl2" },
        { played_at: "2026-11-19 22:00:00", track_id: "t8", context_uri: null },
      ],
    ],
    [
      "top_items: tracks and artists",
      "SELECT time_range, item_type, rank, item_id FROM top_items ORDER BY 1",
      [
        { time_range: "medium_term", item_type: "artists", rank: 0, item_id: "ar1" },
        { time_range: "short_term", item_type: "tracks", rank: 0, item_id: "t1" },
      ],
    ],
  ])("%s", async (_name, sql, expected) => {
    // Assess
    expect(await rows(sql)).toEqual(expected);
  });

  it.each([
    ["artists", "artist_id", "VARCHAR"],
    ["artists", "genres", "VARCHAR[]"],
    ["artists", "popularity", "INTEGER"],
    ["artists", "followers", "BIGINT"],
    ["albums", "release_date", "DATE"],
    ["albums", "total_tracks", "INTEGER"],
    ["tracks", "duration_ms", "INTEGER"],
    ["tracks", "explicit", "BOOLEAN"],
    ["playlists", "total_items", "INTEGER"],
    ["playlist_items", "position", "INTEGER"],
    ["playlist_items", "added_at", "TIMESTAMP"],
    ["plays", "played_at", "TIMESTAMP"],
    ["search_results", "rank", "INTEGER"],
  ])("types %s.%s as %s", async (table, column, type) => {
    const described = await rows(`DESCRIBE ${table}`);
    expect(described.find((c) => c.column_name === column)?.column_type).toBe(type);
  });

  it.each(CURATED_TABLES.map((t) => [t]))(
    "%s has no dt column inside the file (dt is the partition)",
    async (table) => {
      const described = await rows(`DESCRIBE ${table}`);
      expect(described.map((c) => c.column_name)).not.toContain("dt");
    },
  );

  it.each<[CuratedTable, number, number, string[]]>([
    ["artists", 7, 1, ["missing id"]],
    ["albums", 10, 0, []],
    ["tracks", 8, 1, ["missing id"]],
    ["playlists", 3, 1, ["missing id"]],
    ["playlist_items", 9, 1, ["missing _playlist_id or _position"]],
    ["search_results", 5, 1, ["missing _query, _search_type or _rank"]],
    ["plays", 2, 1, ["missing or unparseable played_at"]],
    ["top_items", 2, 1, ["missing id"]],
    ["album_artists", 11, 0, []],
    ["track_artists", 10, 0, []],
  ])("%s: %i rows, %i rejects written to the raw rejects area", async (table, rowCount, rejectCount, reasons) => {
    // Assess
    expect(byTable(results)[table]).toEqual({
      table,
      rows: rowCount,
      rejects: rejectCount,
      key: curatedKey(table, DATE),
    });
    const stats = await rows(
      `SELECT row_count::INTEGER AS r, reject_count::INTEGER AS j FROM read_parquet('${curated.location}/table_stats/dt=${DATE}/*.parquet') WHERE table_name = '${table}'`,
    );
    expect(stats).toEqual([{ r: rowCount, j: rejectCount }]);
    const file = await raw.get(rejectsKey(DATE, `transform-${table}`));
    const lines = file
      ? gunzipSync(file)
          .toString()
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
      : [];
    expect(lines.map((l) => l._reason).sort()).toEqual(reasons);
    for (const line of lines) expect(line._fetched_at).toBeTypeOf("string");
  });

  it("writes column_stats: per table and column, the rows with a value and the rows in all", async () => {
    // Assess
    const coverage = await rows(
      `SELECT table_name, column_name, non_null_count::INTEGER AS filled, row_count::INTEGER AS n, entity
       FROM read_parquet('${curated.location}/column_stats/dt=${DATE}/*.parquet')
       WHERE table_name = 'albums' AND column_name IN ('album_id', 'release_date') ORDER BY column_name`,
    );
    const counted = await rows("SELECT count(*)::INTEGER AS n, count(release_date)::INTEGER AS filled FROM albums");
    expect(coverage).toEqual([
      { table_name: "albums", column_name: "album_id", filled: counted[0]?.n, n: counted[0]?.n, entity: "albums" },
      {
        table_name: "albums",
        column_name: "release_date",
        filled: counted[0]?.filled,
        n: counted[0]?.n,
        entity: "albums",
      },
    ]);
    expect(counted[0]?.filled).toBeLessThan(Number(counted[0]?.n));
    const tables = await rows(
      `SELECT DISTINCT table_name FROM read_parquet('${curated.location}/column_stats/dt=${DATE}/*.parquet') ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([...CURATED_TABLES].sort());
  });

  it("returns the curated, stats and report keys per entity and stores the report", async () => {
    const tracks = results.find((r) => r.entity === "tracks");
    expect(tracks).toMatchObject({ date: DATE, rows: 18 });
    expect(tracks?.keys).toEqual([
      curatedKey("tracks", DATE),
      curatedKey("track_artists", DATE),
      tableStatsKey(DATE, "tracks"),
      columnStatsKey(DATE, "tracks"),
      transformReportKey(DATE, "tracks"),
    ]);
    const report = JSON.parse(String(await curated.get(transformReportKey(DATE, "tracks"))));
    expect(report).toMatchObject({ entity: "tracks", rows: 18, rejects: 1 });
  });
});

describe("runTransform", () => {
  it("builds every table, empty, for raw entities with no files that day (and drops stale rejects)", async () => {
    // Prepare
    const staleRejects = rejectsKey(SPARSE_DATE, "transform-tracks");
    await raw.put(staleRejects, gzipSync('{"_reason":"old"}\n'));
    // Act
    const sparse = await transformAll({ date: SPARSE_DATE, raw, curated, workDir: path.join(dir, "work") });
    // Assess
    expect(Object.values(byTable(sparse)).map((t) => [t.table, t.rows])).toEqual(
      CURATED_TABLES.map((t) => [t, t === "artists" ? 2 : 0]),
    );
    expect(await rows("SELECT count(*)::INTEGER AS n FROM tracks", SPARSE_DATE)).toEqual([{ n: 0 }]);
    expect(await raw.get(staleRejects)).toBeUndefined();
  });

  it("reruns idempotently: same rows, stale files removed, other dates untouched", async () => {
    // Prepare
    const before = await rows("SELECT * FROM tracks ORDER BY track_id");
    await curated.put(`tracks/dt=${DATE}/part-00001.parquet`, "stale");
    const otherDate = curated.localPath(curatedKey("tracks", SPARSE_DATE));
    const otherBefore = (await stat(otherDate)).mtimeMs;
    // Act
    const result = await runTransform({ entity: "tracks", date: DATE, raw, curated, workDir: path.join(dir, "w2") });
    // Assess
    expect(result.tables.map((t) => [t.table, t.rows])).toEqual([
      ["tracks", 8],
      ["track_artists", 10],
    ]);
    expect(await curated.list(`tracks/dt=${DATE}/`)).toEqual([curatedKey("tracks", DATE)]);
    expect(await rows("SELECT * FROM tracks ORDER BY track_id")).toEqual(before);
    expect((await stat(otherDate)).mtimeMs).toBe(otherBefore);
    expect(await readdir(path.join(dir, "w2"))).toEqual([]);
  });

  it("downloads raw objects when the store has no local path (S3)", async () => {
    // Prepare: the same files behind a store without localPath, like the S3 adapter
    const remote: ObjectStore = {
      location: "s3://raw",
      get: (k) => raw.get(k),
      put: (k, b) => raw.put(k, b),
      list: (p) => raw.list(p),
      delete: (k) => raw.delete(k),
      download: (k, f) => raw.download(k, f),
      upload: (f, k) => raw.upload(f, k),
    };
    const out = new FsObjectStore(path.join(dir, "curated-s3"));
    // Act
    const result = await runTransform({ entity: "playlists", date: DATE, raw: remote, curated: out, workDir: dir });
    // Assess
    expect(result.tables.map((t) => [t.table, t.rows, t.rejects])).toEqual([
      ["playlists", 3, 1],
      ["playlist_items", 9, 1],
    ]);
  });

  it("loads raw files with their own threads and memory limit, then writes the same tables", async () => {
    // Prepare
    const out = new FsObjectStore(path.join(dir, "curated-load"));
    // Act
    const result = await runTransform({
      entity: "playlists",
      date: DATE,
      raw,
      curated: out,
      workDir: path.join(dir, "w-load"),
      threads: 1,
      memoryLimitMb: 96,
      loadThreads: 2,
      loadMemoryLimitMb: 256,
    });
    // Assess
    expect(result.tables.map((t) => [t.table, t.rows, t.rejects])).toEqual([
      ["playlists", 3, 1],
      ["playlist_items", 9, 1],
    ]);
  });

  it.each([
    ["an unknown entity", { entity: "nope", date: DATE }],
    ["an invalid date", { entity: "tracks", date: "2026-02-30" }],
  ])("refuses %s", async (_name, input) => {
    await expect(
      runTransform({ ...(input as { entity: "tracks"; date: string }), raw, curated, workDir: dir }),
    ).rejects.toThrow(/entity|date/);
  });

  it("sets aside a raw line that is not JSON as a counted reject with its file, line and reason", async () => {
    // Prepare
    const date = "2026-11-22";
    const play = { played_at: "2026-11-22T10:00:00Z", track: { id: "4uLU6hMCjMI75M1A2tKUQC", name: "T" } };
    const good = JSON.stringify({ ...play, _fetched_at: "2026-11-22T11:00:00Z", _source: "user:recently_played" });
    await raw.put(rawKey("recently_played", date, 0), gzipSync(`${good}\n{not json\n`));

    // Act
    const result = await runTransform({ entity: "user", date, raw, curated, workDir: dir });

    // Assess
    expect(result.tables.find((t) => t.table === "plays")).toMatchObject({ rows: 1, rejects: 1 });
    const rejects = gunzipSync((await raw.get(rejectsKey(date, "transform-raw-recently_played"))) ?? Buffer.alloc(0))
      .toString("utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rejects).toEqual([
      expect.objectContaining({ _file: rawKey("recently_played", date, 0), _line: 2, line: "{not json" }),
    ]);
  });

  it("keeps a play only in the partition that first stored it: later dates skip it, reruns keep what they had", async () => {
    // Prepare: three plays seen on day 1, two of them again (and one new) on day 2.
    const lake = new FsObjectStore(path.join(dir, "curated-plays"));
    const plays = (date: string, times: string[]) =>
      raw.put(
        rawKey("recently_played", date, 0),
        gzipSync(
          `${times
            .map((t) =>
              JSON.stringify({
                played_at: t,
                track: { id: "4uLU6hMCjMI75M1A2tKUQC", type: "track" },
                _fetched_at: `${date}T23:00:00Z`,
                _source: "user:recently_played",
              }),
            )
            .join("\n")}\n`,
        ),
      );
    await plays("2026-12-01", ["2026-12-01T10:00:00Z", "2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z"]);
    await plays("2026-12-02", ["2026-12-01T11:00:00Z", "2026-12-01T12:00:00Z", "2026-12-02T09:00:00Z"]);
    const transform = async (date: string) =>
      (await runTransform({ entity: "user", date, raw, curated: lake, workDir: dir })).tables.find(
        (t) => t.table === "plays",
      )?.rows;
    const stored = async () => {
      const result = await db.runAndReadAll(
        `SELECT dt, strftime(played_at, '%d %H') AS at FROM read_parquet('${lake.location}/plays/*/*.parquet', hive_partitioning = true) ORDER BY 1, 2`,
      );
      return result.getRowObjectsJson();
    };

    // Act
    const counts = [await transform("2026-12-01"), await transform("2026-12-02")];
    const first = await stored();
    const reruns = [await transform("2026-12-02"), await transform("2026-12-01")];

    // Assess
    expect(counts).toEqual([3, 1]);
    expect(first).toEqual([
      { dt: "2026-12-01", at: "01 10" },
      { dt: "2026-12-01", at: "01 11" },
      { dt: "2026-12-01", at: "01 12" },
      { dt: "2026-12-02", at: "02 09" },
    ]);
    expect(reruns).toEqual([1, 3]);
    expect(await stored()).toEqual(first);
  });

  it("throws TransformError naming the table when a raw file is not gzip", async () => {
    // Prepare
    const date = "2026-11-23";
    await raw.put(rawKey("recently_played", date, 0), "{not gzip}\n");

    // Act / Assess
    const run = runTransform({ entity: "user", date, raw, curated, workDir: dir });
    await expect(run).rejects.toBeInstanceOf(TransformError);
    await expect(run).rejects.toThrow(/plays/);
  });
});
