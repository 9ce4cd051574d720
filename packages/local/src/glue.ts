/**
 * The Glue stand-in behind StartCrawler and GetCrawler: the same answers Glue gives (`Glue.CrawlerRunningException`,
 * `{ Crawler: { State, LastCrawl: { Status } } }`), backed by {@link crawlCuratedZone}. The crawler's state lives in
 * `<home>/catalog/crawler.json`, so a crawl left RUNNING by a dead process finishes on the next poll.
 */
import { mkdir, readFile } from "node:fs/promises";
import { crawlCuratedZone } from "./catalog.ts";
import { ServiceError } from "./errors.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { localPaths } from "./paths.ts";

export const LOCAL_CRAWLER_NAME = "tunelake-local-crawler";

interface CrawlerFile {
  state: "RUNNING" | "READY";
  /** GetCrawler answers RUNNING this many more times before READY, like a real crawl that takes a while. */
  runningPolls: number;
  /** The running crawl will end FAILED (the `crawler-failed` fault). */
  willFail?: boolean;
  /**
   * The running crawl is someone else's that started before this run's Transform wrote (the `crawler-running`
   * fault): it ends SUCCEEDED without registering anything new, so a run that accepted it would miss its own files.
   */
  stale?: boolean;
  lastCrawl?: { Status: "SUCCEEDED" | "FAILED"; ErrorMessage?: string; StartTime: string };
  startTime?: string;
}

export interface LocalGlueOptions {
  home: string;
  /** `crawler-running`, `crawler-failed`, `crawler-stuck` apply; others are ignored. */
  faults?: readonly string[];
  /** GetCrawler answers before READY (default 1). */
  runningPolls?: number;
}

/** StartCrawler and GetCrawler for one local execution (faults apply to that execution only). */
export function createLocalGlue(options: LocalGlueOptions) {
  const paths = localPaths(options.home);
  const faults = new Set(options.faults ?? []);
  let runningFaultUsed = false;

  const read = async (): Promise<CrawlerFile> => {
    const text = await readFile(paths.crawlerFile, "utf8").catch(() => undefined);
    return text ? (JSON.parse(text) as CrawlerFile) : { state: "READY", runningPolls: 0 };
  };
  const write = async (file: CrawlerFile) => {
    await mkdir(paths.catalog, { recursive: true });
    // Runs of other dates poll the same crawler and must never read half a file.
    await writeJsonAtomic(paths.crawlerFile, file);
  };

  /** Starts a crawl; it reads the lake when it finishes, so whatever was written by then is registered. */
  const begin = async (previous: CrawlerFile, stale = false): Promise<void> => {
    await write({
      ...(stale ? { stale } : {}),
      // Glue keeps showing the previous crawl's LastCrawl while a new one runs.
      ...(previous.lastCrawl ? { lastCrawl: previous.lastCrawl } : {}),
      state: "RUNNING",
      runningPolls: options.runningPolls ?? 1,
      willFail: faults.has("crawler-failed"),
      startTime: new Date().toISOString(),
    });
  };

  const finish = async (current: CrawlerFile): Promise<CrawlerFile> => {
    const StartTime = current.startTime ?? new Date().toISOString();
    let lastCrawl: CrawlerFile["lastCrawl"];
    if (current.willFail) {
      lastCrawl = { Status: "FAILED", ErrorMessage: "Injected fault crawler-failed: the crawl failed.", StartTime };
    } else if (current.stale) {
      lastCrawl = { Status: "SUCCEEDED", StartTime };
    } else {
      try {
        await crawlCuratedZone(options.home);
        lastCrawl = { Status: "SUCCEEDED", StartTime };
      } catch (error) {
        lastCrawl = {
          Status: "FAILED",
          ErrorMessage: error instanceof Error ? error.message : String(error),
          StartTime,
        };
      }
    }
    const done: CrawlerFile = { state: "READY", runningPolls: 0, lastCrawl };
    await write(done);
    return done;
  };

  return {
    async startCrawler(_input: unknown): Promise<Record<string, never>> {
      const current = await read();
      if (faults.has("crawler-running") && !runningFaultUsed && current.state !== "RUNNING") {
        // Someone else's crawl, started before our files were written: the run must wait for it, then crawl again.
        runningFaultUsed = true;
        await begin(current, true);
        throw new ServiceError(
          "Glue.CrawlerRunningException",
          `Crawler with name ${LOCAL_CRAWLER_NAME} has already started (injected fault crawler-running).`,
        );
      }
      if (current.state === "RUNNING") {
        throw new ServiceError(
          "Glue.CrawlerRunningException",
          `Crawler with name ${LOCAL_CRAWLER_NAME} has already started`,
        );
      }
      await begin(current);
      return {};
    },

    async getCrawler(_input: unknown) {
      let current = await read();
      if (current.state === "RUNNING" && !faults.has("crawler-stuck")) {
        if (current.runningPolls > 0) await write({ ...current, runningPolls: current.runningPolls - 1 });
        else current = await finish(current);
      }
      return {
        Crawler: {
          Name: LOCAL_CRAWLER_NAME,
          State: current.state,
          ...(current.lastCrawl ? { LastCrawl: current.lastCrawl } : {}),
        },
      };
    },
  };
}
