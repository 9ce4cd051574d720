/**
 * Steady-state extract (`npm run bench -- --only extract-steady [--days N] [--json]`): the extract benchmark's
 * config (development profile) run day after day against the sample world (sample-api/src/sample-world.ts) in one
 * tunelake home, each day through the real local pipeline (the engine, the Extract and Transform handlers, the crawl
 * and the checks, in-process). Figures come from what happened: requests are counted at the sample server, tables
 * are compared cell by cell. Nothing here is asserted.
 *
 * - cold: day 1 in a fresh home (its home is then copied for the two scenarios below);
 * - steady: days 2..N with the world frozen at day 1 (nothing changes);
 * - changing: days 2..N with the world date = the run date;
 * - changingBound: change checks + changes + due refreshes, as each changing day's extract manifest reports them;
 * - tablesMatchFullRefetch: each changing day's curated tables against a fresh home's run of the same date on the
 *   same world (a full refetch), row for row, every column but `_fetched_*`;
 * - differencesExplained: every row where they differ is one of the documented lags, checked: a carried row equals
 *   its key's row in the full refetch of the day it was fetched (every refetch home is kept until the comparisons are
 *   done), a missing or extra key belongs to a release its artist's listing has not checked yet or to the album it
 *   displaces (refetch-explain.ts); `refetchDifferences.unexplainedRows` counts the others (a bug);
 * - exhaustedDay: the changing home's day D (default 5) with the `artist-albums` bucket's budget spent early: did
 *   the run complete, which sources its manifest names stale, and how many more days until none is.
 */
import { cp, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { Config } from "../packages/core/src/config/schema.ts";
import { CURATED_TABLES, manifestKey, rawPrefix, todayUtc } from "../packages/core/src/lake.ts";
import { silentLogger } from "../packages/core/src/logger.ts";
import { QUOTA_BUCKETS, type QuotaBucket } from "../packages/core/src/spotify/quota-buckets.ts";
import { sqlIdentifier, sqlString } from "../packages/core/src/sql-quote.ts";
import { tableDeclaration } from "../packages/core/src/tables/index.ts";
import { openLocalCatalog } from "../packages/local/src/catalog.ts";
import { runLocalExecution } from "../packages/local/src/engine.ts";
import { createLocalHandlers } from "../packages/local/src/handlers.ts";
import { localPaths } from "../packages/local/src/paths.ts";
import { type SampleServer, sampleEnv, startSampleServer } from "../packages/sample-api/src/sample-server.ts";
import { dateOfWorldDay, releaseDayOf } from "../packages/sample-api/src/sample-world.ts";
import { BenchError } from "./errors.ts";
import { benchConfig, type ExtractBenchOptions } from "./extract.ts";
import { belongsTo, DIFFERENCE_COUNTS, dayOf, releaseLag, type Side, type TableRows } from "./refetch-explain.ts";

export interface ExtractSteadyOptions extends Pick<ExtractBenchOptions, "tracks" | "albums" | "artists"> {
  /** Days simulated (default 30). */
  days?: number;
  /** The day whose `artist-albums` budget is spent early (default 5; at most `days`). */
  exhaustedDay?: number;
  /** Days after the exhausted one the catch-up may take before the benchmark stops looking (default 5). */
  catchUpLimit?: number;
  /** Called with a line after each run (the bench prints them on stderr unless --json). */
  progress?: (line: string) => void;
}

/** The first simulated day (and the world's epoch), unless the days asked for do not fit before today. */
const FIRST_DAY = "2026-10-01";

/** The exhausted day's `artist-albums` budget: this share of what the same day spent in the changing scenario. */
const EXHAUSTED_BUDGET_SHARE = 0.25;

type Buckets = Record<QuotaBucket, number>;

/** One run of the pipeline, as the sample server and the run's manifest saw it. */
export interface DayRun {
  date: string;
  worldDate: string;
  status: string;
  error?: string;
  /** Web API requests (the token requests are not counted). */
  requests: number;
  byBucket: Buckets;
  notModified: number;
  /** Sources the manifest names stale (null: the manifest has no such field). */
  staleSources: string[] | null;
  /** The changing-bound terms the manifest reports (null where it reports none). */
  bound: BoundTerms;
  /** When the run ran (epoch ms): a `_fetched_at` within it was fetched by this run. */
  window: [number, number];
}

export interface BoundTerms {
  changeChecks: number | null;
  changes: number | null;
  dueRefreshes: number | null;
}

export interface ExtractSteadyResult {
  days: number;
  profile: "development";
  config: { tracks: number; albums: number; artists: number };
  coldRequests: number;
  steadyMedianRequests: number;
  changingMedianRequests: number;
  /**
   * Median over the changing days of change checks + changes + due refreshes (manifest: changeChecks,
   * changeChecks - notModified, refreshed); null while a term is not reported.
   */
  changingBound: number | null;
  changingBoundNotReported: (keyof BoundTerms)[];
  /** Every curated table of every changing day equals a full refetch's (row for row, `_fetched_*` aside). */
  tablesMatchFullRefetch: boolean;
  /**
   * Every difference is one of the documented lags (docs/tables.md, "What a carried row can miss"), each checked:
   * `refetchDifferences.unexplainedRows` is 0.
   */
  differencesExplained: boolean;
  /**
   * Where they differ, summed over the changing days per table (see {@link TableDifference}): `identityRows` (missing
   * plus extra rows), `laggedRows` (carried rows that are their fetch day's refetch: the field lag) and `otherRows`
   * (any other cell difference: a bug). `explained` splits what the documented lags explain: `releaseLagRows` (the
   * identity rows of releases not checked yet and the albums they displace) and `fieldLagRows` (= `laggedRows`);
   * `unexplainedRows` is the rest, `otherRows` plus the unexplained identity rows (must be 0).
   */
  refetchDifferences: {
    daysEqual: number;
    days: number;
    identityRows: number;
    laggedRows: number;
    otherRows: number;
    explained: { releaseLagRows: number; fieldLagRows: number };
    unexplainedRows: number;
    byTable: Record<string, TableDifference>;
  };
  tableMismatches: { date: string; tables: Record<string, TableDifference> }[];
  exhaustedDay: {
    day: number;
    date: string;
    artistAlbumsBudget: number;
    completed: boolean;
    error?: string;
    /** Sources the day's manifest names stale (null: the manifest has no such field). */
    staleSources: string[] | null;
    /**
     * Days after it until a run completes and its manifest names no stale source (null: not within the limit, or the
     * manifest does not report stale sources).
     */
    catchUpDays: number | null;
    after: { date: string; status: string; requests: number; staleSources: string[] | null }[];
  };
  byBucket: { cold: Buckets; steadyMedian: Buckets; changingMedian: Buckets };
  notModified: { steadyTotal: number; changingTotal: number };
  perDay: { steady: DayRun[]; changing: DayRun[] };
  wallSeconds: number;
}

const median = (values: readonly number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const bucketMedian = (runs: readonly DayRun[]): Buckets =>
  Object.fromEntries(QUOTA_BUCKETS.map((b) => [b, median(runs.map((r) => r.byBucket[b]))])) as Buckets;

/** A number the manifest reports as `field` (null when it does not: a manifest of a version without it). */
function reported(manifest: Record<string, unknown> | undefined, field: string): number | null {
  const value = manifest?.[field];
  return typeof value === "number" ? value : null;
}

/**
 * The changing-bound terms from the extract manifest: `changeChecks` (requests that asked whether something changed),
 * `refreshed` (known objects fetched again because their refresh was due), and the changes found: the change checks
 * that were not `notModified`.
 */
function boundTerms(manifest: Record<string, unknown> | undefined): BoundTerms {
  const changeChecks = reported(manifest, "changeChecks");
  const notModified = reported(manifest, "notModified");
  return {
    changeChecks,
    changes: changeChecks === null || notModified === null ? null : changeChecks - notModified,
    dueRefreshes: reported(manifest, "refreshed"),
  };
}

/** The sources the manifest names stale (`stale`: records with a `source`); null when it has no such field. */
function staleOf(manifest: Record<string, unknown> | undefined): string[] | null {
  const stale = manifest?.stale;
  if (!Array.isArray(stale)) return null;
  return [...new Set(stale.map((record) => String((record as { source?: unknown }).source)))];
}

async function readManifest(home: string, date: string): Promise<Record<string, unknown> | undefined> {
  const file = path.join(localPaths(home).raw, manifestKey(date));
  return JSON.parse(await readFile(file, "utf8").catch(() => "null")) ?? undefined;
}

/** Runs the pipeline for `date` in `home` on the server's current world, and what it cost. */
async function runDay(
  server: SampleServer,
  config: Config,
  home: string,
  date: string,
  say: (line: string) => void = () => {},
): Promise<DayRun> {
  server.resetStats();
  const startedMs = Date.now();
  const record = await runLocalExecution({
    home,
    input: { date },
    handlers: createLocalHandlers({
      home,
      config,
      spotify: sampleEnv(server, true),
      dataSource: "sample",
      logger: silentLogger,
    }),
    retryIntervalMs: 5,
    crawlerPollMs: 5,
    stderr: () => {},
  });
  const stats = server.stats();
  say(
    `  ${path.basename(home)} ${date} (world ${server.data.worldDate ?? "base"}): ${record.status}, ${stats.requests} requests`,
  );
  const manifest = await readManifest(home, date);
  return {
    date,
    worldDate: server.data.worldDate ?? "base",
    status: record.status,
    ...(record.error ? { error: record.error } : {}),
    requests: stats.requests - (stats.byEndpoint["POST /api/token"] ?? 0),
    byBucket: stats.byBucket,
    notModified: stats.notModified,
    staleSources: staleOf(manifest),
    bound: boundTerms(manifest),
    window: [startedMs, Date.now()],
  };
}

/**
 * How one curated table of a date differs from a full refetch's, by its declared key:
 * - `missingRows` / `extraRows`: keys only the refetch has / only the incremental day has (identity). Each is either
 *   `releaseLagRows`, explained by a release the day has not checked yet (see {@link releaseLag}), or
 *   `unexplainedIdentityRows` (a bug);
 * - `laggedRows`: rows of both whose cells differ (`_fetched_*` aside) where the day's row was carried forward from an
 *   earlier run within the table's refresh window AND equals the same key's row in the full refetch of the day it was
 *   fetched: the documented field lag (docs/tables.md, "What a carried row can miss"), verified;
 * - `otherRows`: any other cell difference (a fresh row that differs, a carried one older than its window, or one
 *   that is not what its fetch day's world said): a bug.
 */
export interface TableDifference {
  missingRows: number;
  extraRows: number;
  laggedRows: number;
  otherRows: number;
  /** Of the missing and extra rows, those a release not checked yet explains. */
  releaseLagRows: number;
  /** Of the missing and extra rows, the others: a bug. */
  unexplainedIdentityRows: number;
  /**
   * Of `missingRows` (albums only): the world's releases out for fewer than `extract.refresh.artistAlbumsCheck` days,
   * which the day sees on its artist's next check (docs/tables.md, "What a carried row can miss").
   */
  recentReleases?: number;
  /** A few keys of each kind, to start looking from. */
  examples?: { missing?: string[]; extra?: string[]; other?: string[]; unexplained?: string[] };
}

/** The counts of a {@link TableDifference} (summed over days by {@link summarize}). */
const COUNTS = DIFFERENCE_COUNTS satisfies readonly (keyof TableDifference)[];

/** A table that does not differ (yet). */
function noDifference(): TableDifference {
  const zero = {} as Record<(typeof COUNTS)[number], number>;
  for (const count of COUNTS) zero[count] = 0;
  return zero;
}

/**
 * The refresh kinds whose objects a table's rows are read from (a credited artist comes with its album or track, an
 * album with its tracks too): a carried row can lag the refetch until the longest of their periods has passed.
 */
const REFRESH_KINDS_OF: Readonly<Record<string, readonly (keyof Config["extract"]["refresh"])[]>> = {
  artists: ["artists", "albums", "tracks"],
  albums: ["albums", "tracks"],
  album_artists: ["albums"],
  tracks: ["tracks", "albums"],
  track_artists: ["tracks", "albums"],
  playlists: ["playlists"],
  playlist_items: ["playlists"],
};

type Catalog = Awaited<ReturnType<typeof openLocalCatalog>>;

async function tableRows(catalog: Catalog, table: string, date: string): Promise<TableRows> {
  const out: TableRows = new Map();
  if (!(await catalog.tables()).includes(table)) return out;
  const all = (await catalog.query(`DESCRIBE SELECT * FROM ${table}`)).map((c) => String(c.column_name));
  const cells = all.filter((c) => !c.startsWith("_fetched_") && c !== "dt").map(sqlIdentifier);
  const key = tableDeclaration(table).key.map(sqlIdentifier);
  const fetched = all.includes("_fetched_at") ? "strftime(_fetched_at, '%Y-%m-%dT%H:%M:%S.%gZ')" : "NULL";
  const parts = key.map((k, i) => `${k}::VARCHAR AS k${i}`).join(", ");
  const result = await catalog.query(
    `SELECT row(${key.join(", ")})::VARCHAR AS k, ${parts}, row(${cells.join(", ")})::VARCHAR AS r, ${fetched} AS f FROM ${table} WHERE dt = ${sqlString(date)}`,
  );
  for (const row of result) {
    out.set(String(row.k), {
      parts: key.map((_, i) => String(row[`k${i}`])),
      r: String(row.r),
      f: row.f === null ? null : String(row.f),
    });
  }
  return out;
}

async function readSide(home: string, date: string): Promise<Side> {
  const catalog = await openLocalCatalog(home);
  try {
    const tables = new Map<string, TableRows>();
    for (const table of CURATED_TABLES) tables.set(table, await tableRows(catalog, table, date));
    const albumOf = new Map<string, string>();
    if ((await catalog.tables()).includes("tracks")) {
      for (const row of await catalog.query(
        `SELECT track_id, album_id FROM tracks WHERE dt = ${sqlString(date)} AND album_id IS NOT NULL`,
      )) {
        albumOf.set(String(row.track_id), String(row.album_id));
      }
    }
    return { tables, albumOf, listings: await rawListings(home, date) };
  } finally {
    catalog.close();
  }
}

/** The artists' album listings in the raw `artist_albums` parts the date's manifest lists (fetched and carried). */
async function rawListings(home: string, date: string): Promise<Map<string, Set<string>>> {
  const listings = new Map<string, Set<string>>();
  const keys = (await readManifest(home, date))?.keys;
  const prefix = rawPrefix("artist_albums", date);
  for (const key of Array.isArray(keys) ? keys.map(String).filter((k) => k.startsWith(prefix)) : []) {
    const text = gunzipSync(await readFile(path.join(localPaths(home).raw, key))).toString("utf8");
    for (const line of text.split("\n")) {
      if (!line) continue;
      const { id, _artist_id: artist } = JSON.parse(line) as { id?: unknown; _artist_id?: unknown };
      if (typeof id !== "string" || typeof artist !== "string") continue;
      if (!listings.has(artist)) listings.set(artist, new Set());
      listings.get(artist)?.add(id);
    }
  }
  return listings;
}

/**
 * Compares every curated table of `date` in `home` with the same table in `refetch` (a fresh home's run of the date
 * on the same world), by key; returns the tables that differ and how. A differing carried row is checked against the
 * full refetch of the day it was fetched (`refetchOf`, a home whose tables hold that date).
 */
async function compareWithRefetch(
  home: string,
  refetch: string,
  date: string,
  refresh: Config["extract"]["refresh"],
  fetchedOn: (fetchedAt: string) => string | undefined,
  releasedOn: (albumId: string) => string | undefined,
  refetchOf: (date: string) => string | undefined,
): Promise<Record<string, TableDifference>> {
  const [day, full] = [await readSide(home, date), await readSide(refetch, date)];
  const { releases, displaced } = releaseLag(day, full, date, refresh.artistAlbumsCheck, releasedOn);
  const diffs = new Map<string, TableDifference>();
  const examples = new Map<string, Required<NonNullable<TableDifference["examples"]>>>();
  const note = (list: string[], line: string) => list.length < 3 && list.push(line);
  /** Carried rows that differ, by the day they were fetched: verified against that day's refetch below. */
  const carried = new Map<string, { table: string; key: string; r: string }[]>();
  for (const table of CURATED_TABLES) {
    const got: TableRows = day.tables.get(table) ?? new Map();
    const want: TableRows = full.tables.get(table) ?? new Map();
    const window = Math.max(0, ...(REFRESH_KINDS_OF[table] ?? []).map((kind) => refresh[kind]));
    const diff = noDifference();
    const seen = { missing: [] as string[], extra: [] as string[], other: [] as string[], unexplained: [] as string[] };
    diffs.set(table, diff);
    examples.set(table, seen);
    const identity = (explained: boolean, line: string) => {
      if (explained) diff.releaseLagRows++;
      else {
        diff.unexplainedIdentityRows++;
        note(seen.unexplained, line);
      }
    };
    for (const [key, wanted] of want) {
      const row = got.get(key);
      if (!row) {
        diff.missingRows++;
        note(seen.missing, key);
        identity(belongsTo(table, wanted.parts, full, releases), `missing ${key}`);
        const released = table === "albums" ? releasedOn(wanted.parts[0] ?? "") : undefined;
        if (released && released <= date && dayOf(date) - dayOf(released) < refresh.artistAlbumsCheck) {
          diff.recentReleases = (diff.recentReleases ?? 0) + 1;
        }
      } else if (row.r !== wanted.r) {
        // The simulation runs its days within minutes: a fetch's day is the run date of the run it happened in.
        const on = row.f === null ? undefined : fetchedOn(row.f);
        const age = on === undefined ? undefined : dayOf(date) - dayOf(on);
        if (on !== undefined && age !== undefined && age > 0 && age < window) {
          const rows = carried.get(on) ?? [];
          carried.set(on, rows);
          rows.push({ table, key, r: row.r });
        } else {
          diff.otherRows++;
          note(
            seen.other,
            `${key} fetched on ${on ?? "?"}: ${row.r.slice(0, 300)} / refetch: ${wanted.r.slice(0, 300)}`,
          );
        }
      }
    }
    for (const [key, row] of got) {
      if (want.has(key)) continue;
      diff.extraRows++;
      note(seen.extra, key);
      identity(belongsTo(table, row.parts, day, displaced), `extra ${key}`);
    }
  }
  // A carried row lags only if it is what its fetch day's world said: that day's refetch has the same cells.
  for (const [on, rows] of carried) {
    const then = refetchOf(on);
    const catalog = then === undefined ? undefined : await openLocalCatalog(then);
    try {
      const byTable = new Map<string, TableRows>();
      for (const { table, key, r } of rows) {
        if (catalog && !byTable.has(table)) byTable.set(table, await tableRows(catalog, table, on));
        const diff = diffs.get(table);
        if (!diff) continue;
        const fetched = byTable.get(table)?.get(key);
        if (fetched?.r === r) diff.laggedRows++;
        else {
          diff.otherRows++;
          note(
            examples.get(table)?.other ?? [],
            `${key} fetched on ${on}: ${r.slice(0, 300)} / that day's refetch: ${fetched?.r.slice(0, 300) ?? "no row"}`,
          );
        }
      }
    } finally {
      catalog?.close();
    }
  }
  const differences: Record<string, TableDifference> = {};
  for (const [table, diff] of diffs) {
    if (diff.missingRows + diff.extraRows + diff.laggedRows + diff.otherRows === 0) continue;
    const named = Object.fromEntries(Object.entries(examples.get(table) ?? {}).filter(([, keys]) => keys.length > 0));
    differences[table] = { ...diff, ...(Object.keys(named).length > 0 ? { examples: named } : {}) };
  }
  return differences;
}

/** The refetch comparison's totals: per table over the days, and over every table. */
function summarize(
  mismatches: readonly { date: string; tables: Record<string, TableDifference> }[],
  days: number,
): ExtractSteadyResult["refetchDifferences"] {
  const byTable: Record<string, TableDifference> = {};
  for (const { tables } of mismatches) {
    for (const [table, d] of Object.entries(tables)) {
      const sum = byTable[table] ?? noDifference();
      byTable[table] = sum;
      for (const c of COUNTS) sum[c] += d[c];
      if (d.recentReleases) sum.recentReleases = (sum.recentReleases ?? 0) + d.recentReleases;
    }
  }
  const total = (pick: (d: TableDifference) => number) => Object.values(byTable).reduce((n, d) => n + pick(d), 0);
  const otherRows = total((d) => d.otherRows);
  return {
    daysEqual: days - mismatches.length,
    days,
    identityRows: total((d) => d.missingRows + d.extraRows),
    laggedRows: total((d) => d.laggedRows),
    otherRows,
    explained: { releaseLagRows: total((d) => d.releaseLagRows), fieldLagRows: total((d) => d.laggedRows) },
    unexplainedRows: otherRows + total((d) => d.unexplainedIdentityRows),
    byTable,
  };
}

/** Runs the simulation in temporary homes and returns the figures. */
export async function benchExtractSteady(options: ExtractSteadyOptions = {}): Promise<ExtractSteadyResult> {
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 2)
    throw new BenchError({ reason: "badFlag", flag: "days", value: days, min: 2 });
  const exhaustedDay = Math.min(options.exhaustedDay ?? 5, days);
  const catchUpLimit = options.catchUpLimit ?? 5;
  const base = benchConfig(options);
  const config: Config = { ...base, extract: { ...base.extract, accessProfile: "development" } };
  // Run dates are in the past (a run of a future date is refused): the world starts on the first of them, so the
  // figures do not depend on the day the benchmark runs.
  const span = Math.max(days, exhaustedDay + catchUpLimit);
  const latestStart = todayUtc(new Date(Date.now() - span * 86_400_000));
  const start = FIRST_DAY < latestStart ? FIRST_DAY : latestStart;
  const dates = Array.from({ length: span }, (_, d) => dateOfWorldDay(d, start));
  const tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-steady-"));
  const server = await startSampleServer({
    profile: "development",
    shape: "2026",
    worldEpoch: start,
    worldDate: start,
  });
  const started = performance.now();
  const say = options.progress ?? (() => {});
  try {
    const home = (name: string) => path.join(tmp, name);
    const onWorld = (date: string) => server.setWorldDate(date);

    // Day 1, cold, in a fresh home; both scenarios continue from a copy of it.
    onWorld(dates[0]!);
    const cold = await runDay(server, config, home("cold"), dates[0]!, say);
    await cp(home("cold"), home("steady"), { recursive: true });
    await cp(home("cold"), home("changing"), { recursive: true });

    const steady: DayRun[] = [];
    const changing: DayRun[] = [cold];
    const mismatches: { date: string; tables: Record<string, TableDifference> }[] = [];
    let beforeExhausted: string | undefined;
    for (let d = 1; d < days; d++) {
      const date = dates[d]!;
      onWorld(dates[0]!);
      steady.push(await runDay(server, config, home("steady"), date, say));
      if (d === exhaustedDay - 1) {
        beforeExhausted = home("exhausted");
        await cp(home("changing"), beforeExhausted, { recursive: true });
      }
      onWorld(date);
      changing.push(await runDay(server, config, home("changing"), date, say));
    }
    // Each changing day against a full refetch of the same date on the same world (day 1 is one already).
    for (let d = 1; d < days; d++) {
      const date = dates[d]!;
      onWorld(date);
      const fresh = home(`refetch-${date}`);
      await runDay(server, config, fresh, date, say);
      const tables = await compareWithRefetch(
        home("changing"),
        fresh,
        date,
        config.extract.refresh,
        (fetchedAt) => {
          const ms = Date.parse(fetchedAt);
          return changing.find((run) => ms >= run.window[0] && ms <= run.window[1])?.date;
        },
        (albumId) => {
          const day = releaseDayOf(albumId);
          return day === undefined ? undefined : dateOfWorldDay(day, start);
        },
        // The refetches of the earlier days stay until the end: a carried row is checked against its fetch day's.
        (on) => (on === dates[0] ? home("cold") : dates.slice(1, d).includes(on) ? home(`refetch-${on}`) : undefined),
      );
      if (Object.keys(tables).length > 0) mismatches.push({ date, tables });
    }

    // The exhausted day: the changing home as it was before that day, the artist-albums budget cut early.
    const exhaustedDate = dates[exhaustedDay - 1]!;
    const exhaustedHome = beforeExhausted ?? home("exhausted");
    if (!beforeExhausted) await cp(home("cold"), exhaustedHome, { recursive: true });
    const sameDay = changing[exhaustedDay - 1] ?? cold;
    const budget = Math.floor(sameDay.byBucket["artist-albums"] * EXHAUSTED_BUDGET_SHARE);
    onWorld(exhaustedDate);
    server.setQuota({ budgets: { "artist-albums": budget } });
    const exhausted = await runDay(server, config, exhaustedHome, exhaustedDate, say);
    // The next days, with a day's budget again (what the cold day spent in that bucket).
    server.setQuota({ budgets: { "artist-albums": cold.byBucket["artist-albums"] } });
    const after: DayRun[] = [];
    let catchUpDays: number | null = null;
    for (let d = exhaustedDay; d < exhaustedDay + catchUpLimit; d++) {
      onWorld(dates[d]!);
      const run = await runDay(server, config, exhaustedHome, dates[d]!, say);
      after.push(run);
      if (run.status !== "SUCCEEDED") continue;
      // A manifest that names no stale sources at all cannot say when the catch-up ends: stop looking.
      if (run.staleSources === null) break;
      if (run.staleSources.length === 0) {
        catchUpDays = after.length;
        break;
      }
    }
    server.setQuota(undefined);

    const refetchDifferences = summarize(mismatches, days - 1);
    const changingDays = changing.slice(1);
    const bounds = changingDays.map((r) => r.bound);
    const notReported = (["changeChecks", "changes", "dueRefreshes"] as const).filter((term) =>
      bounds.some((b) => b[term] === null),
    );
    return {
      days,
      profile: "development",
      config: {
        tracks: config.sources.tracks.length,
        albums: config.sources.albums.length,
        artists: config.sources.artists.length,
      },
      coldRequests: cold.requests,
      steadyMedianRequests: median(steady.map((r) => r.requests)),
      changingMedianRequests: median(changingDays.map((r) => r.requests)),
      changingBound:
        notReported.length > 0
          ? null
          : median(bounds.map((b) => (b.changeChecks ?? 0) + (b.changes ?? 0) + (b.dueRefreshes ?? 0))),
      changingBoundNotReported: notReported,
      tablesMatchFullRefetch: mismatches.length === 0,
      differencesExplained: refetchDifferences.unexplainedRows === 0,
      refetchDifferences,
      tableMismatches: mismatches,
      exhaustedDay: {
        day: exhaustedDay,
        date: exhaustedDate,
        artistAlbumsBudget: budget,
        completed: exhausted.status === "SUCCEEDED",
        ...(exhausted.error ? { error: exhausted.error } : {}),
        staleSources: exhausted.staleSources,
        catchUpDays,
        after: after.map((r) => ({
          date: r.date,
          status: r.status,
          requests: r.requests,
          staleSources: r.staleSources,
        })),
      },
      byBucket: { cold: cold.byBucket, steadyMedian: bucketMedian(steady), changingMedian: bucketMedian(changingDays) },
      notModified: {
        steadyTotal: steady.reduce((n, r) => n + r.notModified, 0),
        changingTotal: changingDays.reduce((n, r) => n + r.notModified, 0),
      },
      perDay: { steady, changing },
      wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
