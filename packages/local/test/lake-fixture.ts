/**
 * A tiny but real curated lake for tests: every curated table and `table_stats`, written as Parquet by DuckDB, plus
 * small handlers that behave like the Extract and Transform Lambdas (idempotent, keys and counts only).
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  type CuratedTable,
  curatedKey,
  manifestKey,
  rawKey,
  TRANSFORM_ENTITIES,
  TRANSFORM_ENTITY_NAMES,
  type TransformEntity,
  tableStatsKey,
} from "@tunelake/core/lake";
import { curatedTable, duckdbType } from "@tunelake/core/transform/curated-tables";
import type { LocalHandlers } from "../src/engine.ts";

/**
 * One SELECT per table: a consistent small dataset that passes every check. A table not listed here is written empty
 * with its declared columns (see {@link validTable}), as when its source is not configured.
 */
export const VALID_TABLES = {
  artists: `SELECT * FROM (VALUES ('ar1', 'Artist One', ['pop'], 50, 1000::BIGINT, NULL, 'https://open.spotify.com/artist/ar1'),
    ('ar2', 'Artist Two', []::VARCHAR[], NULL, NULL, NULL, 'https://open.spotify.com/artist/ar2'))
    t(artist_id, name, genres, popularity, followers, image_url, spotify_url)`,
  albums: `SELECT * FROM (VALUES ('al1', 'Album One', 'album', DATE '2020-01-01', 'year', 2, NULL::VARCHAR, NULL::INTEGER, NULL::VARCHAR, NULL::VARCHAR),
    ('al2', 'Album Two', 'single', DATE '2021-05-01', 'month', 1, NULL, NULL, NULL, NULL))
    t(album_id, name, album_type, release_date, release_date_precision, total_tracks, label, popularity, upc, image_url)`,
  album_artists: `SELECT * FROM (VALUES ('al1', 'ar1', 0), ('al2', 'ar1', 0), ('al2', 'ar2', 1)) t(album_id, artist_id, artist_position)`,
  tracks: `SELECT * FROM (VALUES ('tr1', 'Track One', 'al1', 200000, false, 1, 1, 'ISRC1', NULL, false),
    ('tr2', 'Track Two', 'al1', 180000, true, 1, 2, 'ISRC2', NULL, false),
    ('tr3', 'Track Three', 'al2', 150000, false, 1, 1, NULL, NULL, false))
    t(track_id, name, album_id, duration_ms, explicit, disc_number, track_number, isrc, popularity, is_local)`,
  track_artists: `SELECT * FROM (VALUES ('tr1', 'ar1', 0), ('tr2', 'ar1', 0), ('tr3', 'ar2', 0)) t(track_id, artist_id, artist_position)`,
  playlists: `SELECT * FROM (VALUES ('pl1', 'Playlist', 'owner', 'snap', true, false, 3)) t(playlist_id, name, owner_id, snapshot_id, public, collaborative, total_items)`,
  playlist_items: `SELECT * FROM (VALUES ('pl1', 0, 'tr1', 'track', TIMESTAMP '2026-01-01 10:00:00', 'owner'),
    ('pl1', 1, 'tr2', 'track', TIMESTAMP '2026-01-02 10:00:00', 'owner'),
    ('pl1', 2, 'ep1', 'episode', TIMESTAMP '2026-01-03 10:00:00', NULL))
    t(playlist_id, position, item_id, item_type, added_at, added_by)`,
  search_results: `SELECT * FROM (VALUES ('tag:new', 'album', 1, 'al1'), ('tag:new', 'album', 2, 'al2')) t(query, search_type, rank, item_id)`,
  plays: `SELECT * FROM (VALUES (TIMESTAMP '2026-11-20 08:00:00', 'tr1', NULL)) t(played_at, track_id, context_uri)`,
  // No user-scoped source here: a table with zero rows, as when no refresh token is configured.
  top_items: `SELECT * FROM (VALUES ('short_term', 'track', 1, 'tr1')) t(time_range, item_type, rank, item_id) WHERE false`,
} satisfies Partial<Record<CuratedTable, string>>;

/** The SELECT of a table's fixture rows: VALID_TABLES', or no rows with the declared columns. */
export function validTable(table: CuratedTable): string {
  const columns = curatedTable(table).columns.map((c) => `NULL::${duckdbType(c.type)} AS "${c.name}"`);
  return (VALID_TABLES as Partial<Record<CuratedTable, string>>)[table] ?? `SELECT ${columns.join(", ")} WHERE false`;
}

export interface FixtureOptions {
  /** Replaces the SELECT of some tables. */
  tables?: Partial<Record<CuratedTable, string>>;
  /** Reported (row_count, reject_count) per table instead of the real counts. */
  reported?: Partial<Record<CuratedTable, { rows: number; rejects: number }>>;
  /** Entities whose `table_stats` part is not written (a transform that did not finish). */
  omitStats?: readonly TransformEntity[];
  /** Entities to write (default all). */
  entities?: readonly TransformEntity[];
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Writes the tables of some transform entities for a date, with their `table_stats` parts, like the transform. */
export async function writeCuratedFixture(home: string, date: string, options: FixtureOptions = {}) {
  const curated = join(home, "lake", "curated");
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const results: {
    entity: TransformEntity;
    tables: { table: string; rows: number; rejects: number; key: string }[];
  }[] = [];
  try {
    for (const entity of options.entities ?? TRANSFORM_ENTITY_NAMES) {
      const tables = [];
      for (const table of TRANSFORM_ENTITIES[entity] as readonly CuratedTable[]) {
        const sql = options.tables?.[table] ?? validTable(table);
        const key = curatedKey(table, date);
        await mkdir(dirname(join(curated, key)), { recursive: true });
        await connection.run(`COPY (${sql}) TO ${sqlString(join(curated, key))} (FORMAT parquet, COMPRESSION zstd)`);
        const count = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM (${sql})`);
        const rows = Number(count.getRowObjectsJS()[0]?.n ?? 0);
        const reported = options.reported?.[table] ?? { rows, rejects: 0 };
        tables.push({ table, rows: reported.rows, rejects: reported.rejects, key });
      }
      const values = tables
        .map((t) => `(${sqlString(t.table)}, ${t.rows}::BIGINT, ${t.rejects}::BIGINT, ${sqlString(entity)})`)
        .join(", ");
      results.push({ entity, tables });
      if (options.omitStats?.includes(entity)) continue;
      const statsFile = join(curated, ...tableStatsKey(date, entity).split("/"));
      await mkdir(dirname(statsFile), { recursive: true });
      await connection.run(
        `COPY (SELECT * FROM (VALUES ${values}) t(table_name, row_count, reject_count, entity)) TO ${sqlString(
          statsFile,
        )} (FORMAT parquet)`,
      );
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return results;
}

/** A temporary tunelake home, removed by `cleanup`. */
export async function tempHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), "tunelake-test-"));
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) };
}

export interface HandlerCalls {
  extract: unknown[];
  transform: unknown[];
}

/**
 * Small real handlers: Extract returns a manifest summary, Transform writes its entity's tables for the date.
 * `fail` lets a test make a handler throw an error of a given class.
 */
export function fixtureHandlers(
  home: string,
  options: FixtureOptions & { failExtract?: () => Error; failTransform?: (entity: string) => Error | undefined } = {},
): { handlers: LocalHandlers; calls: HandlerCalls } {
  const calls: HandlerCalls = { extract: [], transform: [] };
  const handlers: LocalHandlers = {
    async extract(input) {
      calls.extract.push(input);
      const failure = options.failExtract?.();
      if (failure) throw failure;
      const { date } = input as { date: string };
      return {
        date,
        done: true,
        waitSeconds: 0,
        manifestKey: manifestKey(date),
        accessProfile: "development",
        objects: { artists: 2, albums: 2 },
        keys: [rawKey("artists", date, 0)],
        requests: 3,
        retries: 0,
        rejects: 0,
        dataSource: "sample",
      };
    },
    async transform(input) {
      calls.transform.push(input);
      const { date, entity } = input as { date: string; entity: TransformEntity };
      const failure = options.failTransform?.(entity);
      if (failure) throw failure;
      const [result] = await writeCuratedFixture(home, date, { ...options, entities: [entity] });
      const tables = result?.tables ?? [];
      return { entity, date, tables, rows: tables.reduce((n, t) => n + t.rows, 0), keys: tables.map((t) => t.key) };
    },
  };
  return { handlers, calls };
}
