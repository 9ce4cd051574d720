import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CRAWLER_SETTINGS,
  type CrawlerSettings,
  crawlEventFolder,
  crawlerSettingsProblems,
} from "@tunelake/core/catalog/crawler-settings";
import { curatedKey } from "@tunelake/core/lake";
import { CATALOG_TABLES } from "@tunelake/core/transform/curated-tables";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crawlCuratedZone, readCatalog } from "../src/catalog.ts";
import { queuedCrawlEvents } from "../src/crawl-events.ts";
import { createLocalGlue } from "../src/glue.ts";
import { localStores } from "../src/handlers.ts";
import { tempHome, writeCuratedFixture } from "./lake-fixture.ts";

const partitionsOf = async (home: string, table: string) =>
  (await readCatalog(home))?.tables.find((t) => t.name === table)?.partitions;

describe("local crawler in S3 event mode", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let tracks: Buffer;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
    await writeCuratedFixture(home, "2026-11-20");
    tracks = await readFile(join(home, "lake", "curated", curatedKey("tracks", "2026-11-20")));
  });
  afterEach(async () => cleanup());

  it("lists every folder on the first crawl, then only the folders the queued events name", async () => {
    // Act: the first crawl; then a new date written through the curated store (which sends the S3 events).
    const first = await crawlCuratedZone(home);
    await localStores(home).curated.put(curatedKey("tracks", "2026-11-21"), tracks);
    const second = await crawlCuratedZone(home);

    // Assess: the second crawl read one file, and the catalog has both dates.
    expect(first.crawl.mode).toBe("listing");
    expect(first.crawl.filesRead).toBeGreaterThan(10);
    expect(second.crawl).toEqual({ mode: "events", events: 1, foldersListed: 1, filesRead: 1 });
    expect(await partitionsOf(home, "tracks")).toEqual(["2026-11-20", "2026-11-21"]);
    expect(await partitionsOf(home, "albums")).toEqual(["2026-11-20"]);
    expect(await queuedCrawlEvents(home)).toBe(0);
  });

  it("does nothing on an empty queue and keeps what it registered", async () => {
    // Prepare
    await crawlCuratedZone(home);

    // Act
    const idle = await crawlCuratedZone(home);

    // Assess
    expect(idle.crawl).toEqual({ mode: "events", events: 0, foldersListed: 0, filesRead: 0 });
    expect(await partitionsOf(home, "tracks")).toEqual(["2026-11-20"]);
  });

  it("registers a past date written by a reprocess or backfill, and re-reads a rewritten one", async () => {
    // Prepare
    await crawlCuratedZone(home);

    // Act: an older date appears (backfill) and the first date is rewritten (reprocess), both through the store.
    const { curated } = localStores(home);
    await curated.put(curatedKey("tracks", "2026-10-01"), tracks);
    await curated.put(curatedKey("tracks", "2026-11-20"), tracks);
    const crawl = await crawlCuratedZone(home);

    // Assess
    expect(crawl.crawl).toMatchObject({ mode: "events", events: 2, foldersListed: 2, filesRead: 2 });
    expect(await partitionsOf(home, "tracks")).toEqual(["2026-10-01", "2026-11-20"]);
  });

  it("crawls in listing mode again after its settings change, as Glue does after an UpdateCrawler", async () => {
    // Prepare
    await crawlCuratedZone(home);
    const everything: CrawlerSettings = { ...CRAWLER_SETTINGS, recrawlBehavior: "CRAWL_EVERYTHING", eventQueue: false };

    // Act
    const full = await crawlCuratedZone(home, everything);
    const fullAgain = await crawlCuratedZone(home, everything);
    const backToEvents = await crawlCuratedZone(home);

    // Assess
    expect([full.crawl.mode, fullAgain.crawl.mode, backToEvents.crawl.mode]).toEqual(["listing", "listing", "listing"]);
    expect(fullAgain.crawl.filesRead).toBe(full.crawl.filesRead);
  });

  it("keeps a file written outside the store's notifications out of an event crawl, as S3 without an event would", async () => {
    // Prepare
    await crawlCuratedZone(home);
    const { curated } = localStores(home);
    await curated.put(curatedKey("tracks", "2026-11-22"), tracks);
    await writeFile(join(home, "lake", "curated", "tracks", "dt=2026-11-20", "notes.txt"), "not a Parquet file");

    // Act
    const crawl = await crawlCuratedZone(home);

    // Assess: only the Parquet file under a table prefix sent an event.
    expect(crawl.crawl.events).toBe(1);
    expect(await partitionsOf(home, "tracks")).toEqual(["2026-11-20", "2026-11-22"]);
  });
});

describe("crawler settings Glue refuses", () => {
  it("accepts the stack's settings, and names one event folder per table prefix", () => {
    expect(crawlerSettingsProblems(CRAWLER_SETTINGS)).toEqual([]);
    for (const table of CATALOG_TABLES) {
      expect(crawlEventFolder(curatedKey(table, "2026-11-21"))).toEqual({ table, dt: "2026-11-21" });
    }
    expect(crawlEventFolder("_reports/dt=2026-11-21/transform-tracks.json")).toBeUndefined();
    expect(crawlEventFolder("tracks/dt=2026-11-21/part-00000.parquet.tmp-1")).toBeUndefined();
  });

  it.each<[string, Partial<CrawlerSettings>, RegExp]>([
    ["new folders only on catalog targets", { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" }, /S3 targets only/],
    [
      "new folders only with schema updates",
      { targetKind: "s3", recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY", updateBehavior: "UPDATE_IN_DATABASE" },
      /UpdateBehavior LOG and DeleteBehavior LOG/,
    ],
    ["event mode without a queue", { eventQueue: false }, /needs an SQS queue/],
    ["event mode over two targets", { targets: 2 }, /single target/],
    ["event mode with S3 sampling", { targetKind: "s3", sampleSize: 10 }, /sampling/],
    ["event mode over tables in two buckets", { buckets: 2 }, /same S3 bucket/],
    ["catalog targets deleting partitions", { deleteBehavior: "DELETE_FROM_DATABASE" }, /DeleteBehavior must be LOG/],
  ])("refuses %s, as CreateCrawler does", async (_, change, message) => {
    // Prepare
    const { home, cleanup } = await tempHome();
    const settings = { ...CRAWLER_SETTINGS, ...change };

    try {
      // Act + Assess: the stand-in refuses at creation and the crawl refuses too.
      expect(() => createLocalGlue({ home, settings })).toThrow(message);
      expect(() => createLocalGlue({ home, settings })).toThrow(
        expect.objectContaining({ name: "Glue.InvalidInputException" }),
      );
      await expect(crawlCuratedZone(home, settings)).rejects.toThrow(message);
    } finally {
      await cleanup();
    }
  });
});
