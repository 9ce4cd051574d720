/**
 * How the curated crawler finds new partitions, declared once: the stack deploys it (stacks/lake-catalog.ts) and the
 * local Glue stand-in runs it (packages/local/src/glue.ts), refusing what Glue refuses (docs/deploy.md, "Tables and
 * crawler").
 *
 * The crawl works in Glue's S3 event mode over catalog targets: the curated bucket sends an `s3:ObjectCreated:*`
 * notification for every Parquet file under a table's prefix to an SQS queue, and each crawl after the first lists
 * only the `dt=` folders named by the events it receives, so a day's crawl does the same work on day 365 as on day 1.
 * Glue's other incremental mode, CRAWL_NEW_FOLDERS_ONLY, is for S3 targets only (these tables are the stack's catalog
 * targets) and still lists every folder of the target to find the new ones, so its listing grows with history.
 */
import { CATALOG_TABLES } from "../transform/curated-tables.ts";

export type RecrawlBehavior = "CRAWL_EVERYTHING" | "CRAWL_NEW_FOLDERS_ONLY" | "CRAWL_EVENT_MODE";
export type UpdateBehavior = "LOG" | "UPDATE_IN_DATABASE";
export type DeleteBehavior = "LOG" | "DELETE_FROM_DATABASE" | "DEPRECATE_IN_DATABASE";

/** The parts of a Glue crawler's configuration that decide what a crawl does and whether Glue accepts it. */
export interface CrawlerSettings {
  /** Catalog targets (the stack's declared tables) or S3 paths. */
  targetKind: "catalog" | "s3";
  /** How many targets (one catalog target per database, one S3 target per path). */
  targets: number;
  /** The buckets the targets' tables or paths are in. */
  buckets: number;
  /** Whether the target names an SQS event queue (`EventQueueArn`). */
  eventQueue: boolean;
  recrawlBehavior: RecrawlBehavior;
  updateBehavior: UpdateBehavior;
  deleteBehavior: DeleteBehavior;
  /** S3 targets' `SampleSize` (files per leaf folder), if set. */
  sampleSize?: number;
}

/** tunelake's crawler: one catalog target (the declared tables of one database, one bucket), S3 event mode. */
export const CRAWLER_SETTINGS: CrawlerSettings = {
  targetKind: "catalog",
  targets: 1,
  buckets: 1,
  eventQueue: true,
  recrawlBehavior: "CRAWL_EVENT_MODE",
  // The stack, not the crawler, changes tables; Glue requires DeleteBehavior LOG for catalog targets anyway.
  updateBehavior: "LOG",
  deleteBehavior: "LOG",
};

/** Glue consumes at most this many event messages per crawl; the rest stay queued for the next crawl. */
export const MAX_EVENTS_PER_CRAWL = 100_000;

/**
 * The S3 notifications that feed the crawler's queue: objects created under a catalog table's prefix, Parquet files
 * only. One filter per table, because an S3 notification has one prefix; the prefixes end in `/`, so no two overlap
 * (`tracks/` and `track_artists/`), which S3 would refuse.
 */
export const CRAWL_EVENT_FILTERS: readonly { table: string; prefix: string; suffix: string }[] = CATALOG_TABLES.map(
  (table) => ({ table, prefix: `${table}/`, suffix: ".parquet" }),
);

/** The table and `dt` partition an object-created event names, when it is one the crawler's notifications send. */
export function crawlEventFolder(key: string): { table: string; dt: string } | undefined {
  const filter = CRAWL_EVENT_FILTERS.find((f) => key.startsWith(f.prefix) && key.endsWith(f.suffix));
  if (!filter) return undefined;
  const match = /^dt=([^/]+)\//.exec(key.slice(filter.prefix.length));
  return match?.[1] ? { table: filter.table, dt: match[1] } : undefined;
}

/**
 * Why Glue would refuse `settings` (CreateCrawler/UpdateCrawler answer InvalidInputException), one reason per rule;
 * empty when it accepts them. From Glue's developer guide: "Incremental crawls" (new-folders-only is for S3 data
 * sources and forces update and delete behaviour LOG), "Accelerating crawls using Amazon S3 event notifications" (an
 * SQS queue on the target, a single target, no S3 sampling, the catalog target's tables in one bucket), and the
 * crawler API (catalog targets only log deletions).
 */
export function crawlerSettingsProblems(settings: CrawlerSettings): string[] {
  const problems: string[] = [];
  if (settings.targetKind === "catalog" && settings.deleteBehavior !== "LOG") {
    problems.push(
      `a crawler of catalog targets only logs deletions: DeleteBehavior must be LOG, not ${settings.deleteBehavior}`,
    );
  }
  if (settings.recrawlBehavior === "CRAWL_NEW_FOLDERS_ONLY") {
    if (settings.targetKind !== "s3") {
      problems.push("CRAWL_NEW_FOLDERS_ONLY crawls S3 targets only; this crawler's targets are catalog tables");
    }
    if (settings.updateBehavior !== "LOG" || settings.deleteBehavior !== "LOG") {
      problems.push("CRAWL_NEW_FOLDERS_ONLY requires SchemaChangePolicy UpdateBehavior LOG and DeleteBehavior LOG");
    }
  }
  if (settings.recrawlBehavior === "CRAWL_EVENT_MODE") {
    if (!settings.eventQueue) problems.push("CRAWL_EVENT_MODE needs an SQS queue on the target (EventQueueArn)");
    if (settings.targets !== 1) {
      problems.push(
        `CRAWL_EVENT_MODE crawls a single target (one S3 path or one catalog target), not ${settings.targets}`,
      );
    }
    if (settings.sampleSize !== undefined) problems.push("CRAWL_EVENT_MODE does not support S3 sampling (SampleSize)");
    if (settings.targetKind === "catalog" && settings.buckets !== 1) {
      problems.push("CRAWL_EVENT_MODE over catalog targets needs every table in the same S3 bucket");
    }
  }
  return problems;
}

/** A fingerprint of what a crawl depends on: Glue crawls in listing mode again after any such change. */
export const crawlerSettingsFingerprint = (settings: CrawlerSettings): string =>
  JSON.stringify([
    settings.targetKind,
    settings.targets,
    settings.buckets,
    settings.eventQueue,
    settings.recrawlBehavior,
    settings.updateBehavior,
    settings.deleteBehavior,
    settings.sampleSize ?? null,
    CATALOG_TABLES,
  ]);
