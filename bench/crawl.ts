/**
 * Crawl work per day (`npm run bench -- --only crawl [--days N]`): a simulated lake of N dates (default 365), every
 * curated table written for each date through the local curated store (which sends the S3 events the crawler's queue
 * receives), crawled by the local Glue stand-in as the deployed crawler crawls (S3 event mode), and, for comparison,
 * as it crawled before (CRAWL_EVERYTHING). The figures are the stand-in's own counters of the folders it listed and
 * the files it read on day 1 and on day N: nothing here is computed from the number of dates.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CRAWLER_SETTINGS, type CrawlerSettings } from "../packages/core/src/catalog/crawler-settings.ts";
import { curatedKey } from "../packages/core/src/lake.ts";
import { sqlString } from "../packages/core/src/sql-quote.ts";
import { CATALOG_TABLES, curatedTable, duckdbType } from "../packages/core/src/transform/curated-tables.ts";
import { type CrawlStats, crawlCuratedZone } from "../packages/local/src/catalog.ts";
import { localStores } from "../packages/local/src/handlers.ts";
import { BenchError } from "./errors.ts";

/** What the crawler did on one day. */
export interface CrawlDay {
  mode: CrawlStats["mode"];
  events: number;
  foldersListed: number;
  filesRead: number;
}

export interface CrawlBench {
  days: number;
  tables: number;
  /** The deployed crawler: S3 event mode (its first crawl lists everything). */
  eventMode: { day1: CrawlDay; lastDay: CrawlDay; filesReadRatio: number; foldersListedRatio: number };
  /** The crawler before: every folder of every table, every day. */
  crawlEverything: { day1: CrawlDay; lastDay: CrawlDay; filesReadRatio: number; foldersListedRatio: number };
}

const EVERYTHING: CrawlerSettings = { ...CRAWLER_SETTINGS, recrawlBehavior: "CRAWL_EVERYTHING", eventQueue: false };

/** One small Parquet file per table with the table's declared columns (what the transform writes, in shape). */
async function tableFiles(dir: string): Promise<Map<string, Buffer>> {
  const db = await DuckDBInstance.create(":memory:");
  const connection = await db.connect();
  const files = new Map<string, Buffer>();
  try {
    for (const table of CATALOG_TABLES) {
      const columns = curatedTable(table)
        .columns.map((c) => `CAST(NULL AS ${duckdbType(c.type)}) AS "${c.name}"`)
        .join(", ");
      const file = path.join(dir, `${table}.parquet`);
      await connection.run(`COPY (SELECT ${columns}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`);
      files.set(table, await readFile(file));
    }
  } finally {
    connection.closeSync();
    db.closeSync();
  }
  return files;
}

const day = (stats: CrawlStats): CrawlDay => ({
  mode: stats.mode,
  events: stats.events,
  foldersListed: stats.foldersListed,
  filesRead: stats.filesRead,
});
const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100) / 100);

/** Runs the simulation in a temporary tunelake home and returns the counters of day 1 and day N in both modes. */
export async function benchCrawl(options: { days?: number } = {}): Promise<CrawlBench> {
  const days = options.days ?? 365;
  if (!Number.isInteger(days) || days < 2)
    throw new BenchError({ reason: "badFlag", flag: "days", value: days, min: 2 });
  const tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-crawl-"));
  try {
    const files = await tableFiles(tmp);
    const dates = Array.from({ length: days }, (_, i) =>
      new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
    );
    const lake = (name: string) => {
      const home = path.join(tmp, name);
      const { curated } = localStores(home);
      return {
        home,
        /** Writes every table's file of `date` as the transform does, through the notifying store. */
        write: async (date: string) => {
          for (const table of CATALOG_TABLES) await curated.put(curatedKey(table, date), files.get(table)!);
        },
      };
    };

    // The deployed crawler: day 1, the history in between (crawled as it arrives), then day N.
    const events = lake("event-mode");
    await events.write(dates[0]!);
    const eventDay1 = day((await crawlCuratedZone(events.home)).crawl);
    for (const date of dates.slice(1, -1)) await events.write(date);
    await crawlCuratedZone(events.home);
    await events.write(dates.at(-1)!);
    const eventLast = day((await crawlCuratedZone(events.home)).crawl);

    // The crawler before, on a lake of the same dates.
    const everything = lake("crawl-everything");
    await everything.write(dates[0]!);
    const everythingDay1 = day((await crawlCuratedZone(everything.home, EVERYTHING)).crawl);
    for (const date of dates.slice(1)) await everything.write(date);
    const everythingLast = day((await crawlCuratedZone(everything.home, EVERYTHING)).crawl);

    return {
      days,
      tables: CATALOG_TABLES.length,
      eventMode: {
        day1: eventDay1,
        lastDay: eventLast,
        filesReadRatio: ratio(eventLast.filesRead, eventDay1.filesRead),
        foldersListedRatio: ratio(eventLast.foldersListed, eventDay1.foldersListed),
      },
      crawlEverything: {
        day1: everythingDay1,
        lastDay: everythingLast,
        filesReadRatio: ratio(everythingLast.filesRead, everythingDay1.filesRead),
        foldersListedRatio: ratio(everythingLast.foldersListed, everythingDay1.foldersListed),
      },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
