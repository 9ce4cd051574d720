/**
 * The lake layout (README "The lake", a contract): raw and curated keys, identical on S3 and on disk,
 * and the raw entities and curated tables the pipeline knows.
 */
import { InputError, ManifestCorruptError } from "./errors.ts";
import { RAW_DECLARATIONS, type RawEntityName } from "./sources/index.ts";
import { TABLES, type TableName, type TransformName, transformEntities } from "./tables/index.ts";

/**
 * Raw entities: one folder each in the raw zone, as the sources declare them (sources/*.ts, `raw`, which also says
 * what a line holds). Every line is one API object exactly as Spotify returned it, plus provenance fields prefixed
 * `_` (always `_fetched_at` ISO timestamp and `_source`, e.g. `artist:<id>`).
 */
export const RAW_ENTITIES: readonly RawEntityName[] = RAW_DECLARATIONS.map((r) => r.entity);
export type RawEntity = RawEntityName;

/** Curated tables (docs/tables.md, a contract), in lake order: the names of the table registry (tables/index.ts). */
export const CURATED_TABLES: readonly TableName[] = TABLES.map((t) => t.name);
export type CuratedTable = TableName;

/**
 * Transform entities: the unit of one Transform Lambda invocation (one Map iteration), and the tables it writes (each
 * table declares its entity). Each reads whichever raw entities carry its objects.
 */
export const TRANSFORM_ENTITIES: Readonly<Record<TransformName, readonly CuratedTable[]>> = transformEntities();
export type TransformEntity = TransformName;
export const TRANSFORM_ENTITY_NAMES = Object.keys(TRANSFORM_ENTITIES) as TransformEntity[];

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks a run date is a real calendar date in `YYYY-MM-DD` form, and not after tomorrow (UTC; tomorrow is allowed
 * because it is already today east of UTC): a run of `9999-12-31` would only make names and partitions of days that
 * have no data.
 */
export function assertRunDate(date: string, now: Date = new Date()): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  if (!DATE_RE.test(date) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new InputError({ reason: "runDate", date: String(date) });
  }
  const tomorrow = todayUtc(new Date(now.getTime() + 86_400_000));
  if (date > tomorrow) {
    throw new InputError({ reason: "futureRunDate", date, tomorrow });
  }
  return date;
}

/** Today's date in UTC as `YYYY-MM-DD`. */
export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Folders of the lake besides the entities and tables. Every key builder below starts with one of these or with an
 * entity or table name, and {@link lakeAccess} grants each function exactly the folders its code writes and reads.
 */
export const LAKE_FOLDERS = {
  manifests: "_manifests",
  checkpoints: "_checkpoints",
  rejects: "_rejects",
  reports: "_reports",
} as const;

export const rawPrefix = (entity: RawEntity, date: string): string => `${entity}/dt=${date}/`;
export const rawKey = (entity: RawEntity, date: string, part: number): string =>
  `${rawPrefix(entity, date)}part-${String(part).padStart(5, "0")}.ndjson.gz`;
/**
 * A raw part named by the extract attempt that wrote it (`part-<attempt>-<seq>-v<version>`): names a previous manifest
 * cannot list, so a rerun never overwrites the parts of the published day before it publishes.
 */
export const rawPartKey = (entity: RawEntity, date: string, name: string): string =>
  `${rawPrefix(entity, date)}part-${name}.ndjson.gz`;
export const manifestKey = (date: string): string => `${LAKE_FOLDERS.manifests}/dt=${date}/manifest.json`;
/** The extract's checkpoint for a date: finished work units and the parts they wrote (see README, "Checkpoints"). */
export const checkpointKey = (date: string): string => `${LAKE_FOLDERS.checkpoints}/dt=${date}/extract.json`;
/** Where an unfinished extract keeps its rejects until it publishes them under `rejectsKey`. */
export const checkpointRejectsPrefix = (date: string): string => `${LAKE_FOLDERS.checkpoints}/dt=${date}/rejects/`;
export const rejectsPrefix = (date: string): string => `${LAKE_FOLDERS.rejects}/dt=${date}/`;
export const rejectsKey = (date: string, entity: string): string => `${rejectsPrefix(date)}${entity}.ndjson.gz`;
export const curatedPrefix = (table: string, date: string): string => `${table}/dt=${date}/`;
export const curatedKey = (table: string, date: string): string => `${curatedPrefix(table, date)}part-00000.parquet`;
/**
 * Stats table written next to the curated tables, one part per transform entity with what it reported (read by the
 * quality checks).
 */
export const TABLE_STATS = "table_stats";
export const tableStatsKey = (date: string, entity: string): string =>
  `${curatedPrefix(TABLE_STATS, date)}part-${entity}.parquet`;
/**
 * Column coverage written next to table_stats, one part per transform entity: per table and column, how many rows
 * have a value (see docs/tables.md).
 */
export const COLUMN_STATS = "column_stats";
export const columnStatsKey = (date: string, entity: string): string =>
  `${curatedPrefix(COLUMN_STATS, date)}part-${entity}.parquet`;
/** The transform's report per entity and date (rows and rejects per table), read by later stages and reruns. */
export const transformReportKey = (date: string, entity: string): string =>
  `${LAKE_FOLDERS.reports}/dt=${date}/transform-${entity}.json`;

/** The lake's two buckets (the Athena results bucket is Athena's, not the handlers'). */
export type LakeZone = "raw" | "curated";
/** The S3 object actions a handler's store calls: `get`/`download`, `put`/`upload`, `delete`. */
export type LakeObjectAction = "s3:GetObject" | "s3:PutObject" | "s3:DeleteObject";
/** The Lambda functions that touch the lake. */
export type LakeFunctionName = "extract" | "transform";

/** What one function may do in one zone: object actions on folders, and listing of folders. */
export interface LakeGrant {
  zone: LakeZone;
  /** Top-level folders (no slash): the grant covers `<folder>/*`. */
  folders: readonly string[];
  actions: readonly LakeObjectAction[];
}

/**
 * What one function may list: `s3:ListBucket` with an `s3:prefix` condition on these folders. It is also what makes S3
 * answer a read of a missing key with 404 instead of 403: every folder where the code reads a key that may not exist
 * yet (checkpoint, manifest, report, a previous day's part) must be listable, or the store sees "access denied" and the
 * run fails on its first day.
 */
export interface LakeListGrant {
  zone: LakeZone;
  folders: readonly string[];
}

export interface LakeAccess {
  objects: readonly LakeGrant[];
  list: readonly LakeListGrant[];
}

const RW: readonly LakeObjectAction[] = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
/** Curated folders besides the tables: per-table and per-column statistics and the transform reports. */
export const CURATED_SIDE_FOLDERS = [TABLE_STATS, COLUMN_STATS, LAKE_FOLDERS.reports] as const;

/**
 * Each function's S3 access, derived from the same folders the key builders use (the stack turns it into IAM policy
 * statements; docs/deploy.md lists them). Extract owns the raw zone: entity parts, manifests, its checkpoints and
 * rejects. Transform reads raw, rewrites only its own rejects there, and owns the curated zone.
 */
export function lakeAccess(fn: LakeFunctionName): LakeAccess {
  const rawEntities = [...RAW_ENTITIES];
  if (fn === "extract") {
    const folders = [...rawEntities, LAKE_FOLDERS.manifests, LAKE_FOLDERS.checkpoints, LAKE_FOLDERS.rejects];
    return { objects: [{ zone: "raw", folders, actions: RW }], list: [{ zone: "raw", folders }] };
  }
  const curated = [...CURATED_TABLES, ...CURATED_SIDE_FOLDERS];
  return {
    objects: [
      { zone: "raw", folders: [...rawEntities, LAKE_FOLDERS.manifests], actions: ["s3:GetObject"] },
      { zone: "raw", folders: [LAKE_FOLDERS.rejects], actions: RW },
      { zone: "curated", folders: curated, actions: RW },
    ],
    list: [
      { zone: "raw", folders: [...rawEntities, LAKE_FOLDERS.manifests, LAKE_FOLDERS.rejects] },
      { zone: "curated", folders: curated },
    ],
  };
}

/** The top-level folder of a lake key (`_checkpoints/dt=.../extract.json` -> `_checkpoints`). */
export const folderOf = (key: string): string => key.split("/")[0] ?? "";

/** Whether `fn` may call `action` on `key` in `zone` according to {@link lakeAccess}. */
export function lakeAllows(fn: LakeFunctionName, zone: LakeZone, action: LakeObjectAction, key: string): boolean {
  const folder = folderOf(key);
  return lakeAccess(fn).objects.some(
    (g) => g.zone === zone && g.actions.includes(action) && g.folders.includes(folder),
  );
}

/** Parses a date's manifest as stored at `key` of `location`; text that is not JSON is a ManifestCorruptError naming it. */
export function parseManifest<T>(body: Buffer, fields: { location: string; key: string; date: string }): T {
  try {
    return JSON.parse(body.toString("utf8")) as T;
  } catch (error) {
    throw new ManifestCorruptError(
      { file: `${fields.location}/${fields.key}`, date: fields.date, problem: (error as Error).message },
      { cause: error },
    );
  }
}
