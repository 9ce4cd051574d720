/**
 * The Glue stand-in behind StartCrawler and GetCrawler: the same answers Glue gives (`Glue.CrawlerRunningException`,
 * `{ Crawler: { State, LastCrawl: { Status } } }`), backed by {@link crawlCuratedZone}, which crawls as the deployed
 * crawler does (S3 event mode: after the first crawl, only the folders the queued events name). The crawler's state lives in
 * `<home>/catalog/crawler.json`, so a crawl left RUNNING by a dead process finishes on the next poll.
 */
import { mkdir, readFile } from "node:fs/promises";
import {
  CRAWLER_SETTINGS,
  type CrawlerSettings,
  crawlerSettingsProblems,
} from "@tunelake/core/catalog/crawler-settings";
import { crawlCuratedZone } from "./catalog.ts";
import { ServiceError } from "./errors.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { localPaths } from "./paths.ts";

export const LOCAL_CRAWLER_NAME = "tunelake-local-crawler";

interface CrawlerFile {
  state: "RUNNING" | "READY";
  /** GetCrawler answers RUNNING this many more times before READY, like a real crawl that takes a while. */
  runningPolls: number;
  /** The running crawl will end FAILED with this message instead of crawling ({@link LocalGlue.failRunningCrawl}). */
  willFail?: string;
  /**
   * The running crawl is someone else's that started before this run's Transform wrote
   * ({@link LocalGlue.startCrawlElsewhere}): it ends SUCCEEDED without registering anything new, so a run that
   * accepted it would miss its own files.
   */
  stale?: boolean;
  lastCrawl?: { Status: "SUCCEEDED" | "FAILED"; ErrorMessage?: string; StartTime: string };
  startTime?: string;
}

export interface LocalGlueOptions {
  home: string;
  /** GetCrawler answers before READY (default 1). */
  runningPolls?: number;
  /** How the crawler crawls (default: the stack's, S3 event mode over catalog targets). */
  settings?: CrawlerSettings;
}

/** GetCrawler's answer. */
export interface GetCrawlerOutput {
  Crawler: { Name: string; State: CrawlerFile["state"]; LastCrawl?: CrawlerFile["lastCrawl"] };
}

/**
 * StartCrawler and GetCrawler over the crawler file, and what other actors do to a real crawler (another client
 * starts it, a crawl fails, time does not pass), which the fault wrappers in faults.ts use.
 */
export interface LocalGlue {
  startCrawler(input: unknown): Promise<Record<string, never>>;
  /** Advances a running crawl by one poll (finishing it when its polls are used up), then describes the crawler. */
  getCrawler(input: unknown): Promise<GetCrawlerOutput>;
  /** GetCrawler's answer without advancing anything: the crawl stays where it is. */
  describeCrawler(): Promise<GetCrawlerOutput>;
  /** Starts someone else's crawl that registers nothing of this run; false (and nothing done) when one is running. */
  startCrawlElsewhere(): Promise<boolean>;
  /** Makes the running crawl end READY with LastCrawl FAILED and this message, without crawling. */
  failRunningCrawl(message: string): Promise<void>;
}

/**
 * The Glue crawler stand-in for one local execution. Like CreateCrawler, it refuses settings Glue refuses
 * (`Glue.InvalidInputException`), before any crawl.
 */
export function createLocalGlue(options: LocalGlueOptions): LocalGlue {
  const paths = localPaths(options.home);
  const settings = options.settings ?? CRAWLER_SETTINGS;
  const problems = crawlerSettingsProblems(settings);
  if (problems.length > 0) {
    throw new ServiceError("Glue.InvalidInputException", `Glue refuses this crawler: ${problems.join("; ")}`);
  }

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
      startTime: new Date().toISOString(),
    });
  };

  const finish = async (current: CrawlerFile): Promise<CrawlerFile> => {
    const StartTime = current.startTime ?? new Date().toISOString();
    let lastCrawl: CrawlerFile["lastCrawl"];
    if (current.willFail) {
      lastCrawl = { Status: "FAILED", ErrorMessage: current.willFail, StartTime };
    } else if (current.stale) {
      lastCrawl = { Status: "SUCCEEDED", StartTime };
    } else {
      try {
        await crawlCuratedZone(options.home, settings);
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

  const describe = (current: CrawlerFile): GetCrawlerOutput => ({
    Crawler: {
      Name: LOCAL_CRAWLER_NAME,
      State: current.state,
      ...(current.lastCrawl ? { LastCrawl: current.lastCrawl } : {}),
    },
  });

  return {
    async startCrawler(_input) {
      const current = await read();
      if (current.state === "RUNNING") {
        throw new ServiceError(
          "Glue.CrawlerRunningException",
          `Crawler with name ${LOCAL_CRAWLER_NAME} has already started`,
        );
      }
      await begin(current);
      return {};
    },

    async getCrawler(_input) {
      let current = await read();
      if (current.state === "RUNNING") {
        if (current.runningPolls > 0) await write({ ...current, runningPolls: current.runningPolls - 1 });
        else current = await finish(current);
      }
      return describe(current);
    },

    async describeCrawler() {
      return describe(await read());
    },

    async startCrawlElsewhere() {
      const current = await read();
      if (current.state === "RUNNING") return false;
      await begin(current, true);
      return true;
    },

    async failRunningCrawl(message) {
      const current = await read();
      if (current.state === "RUNNING") await write({ ...current, willFail: message });
    },
  };
}
