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
import { CrawlerRunningError, CrawlerSettingsRefusedError } from "./errors.ts";
import { writeJsonAtomic } from "./json-file.ts";
import { localPaths } from "./paths.ts";

export const LOCAL_CRAWLER_NAME = "tunelake-local-crawler";

/** The crawler's state, as `<home>/catalog/crawler.json` keeps it. */
export interface CrawlerState {
  state: "RUNNING" | "READY";
  /** GetCrawler answers RUNNING this many more times before READY, like a real crawl that takes a while. */
  runningPolls: number;
  lastCrawl?: { Status: "SUCCEEDED" | "FAILED"; ErrorMessage?: string; StartTime: string };
  /** When the running crawl started (it identifies the crawl). */
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
  Crawler: { Name: string; State: CrawlerState["state"]; LastCrawl?: CrawlerState["lastCrawl"] };
}

/**
 * StartCrawler and GetCrawler over the crawler file, and the crawler's state itself: what other actors do to a real
 * crawler (another client starts it, a crawl fails) is a change of that state.
 */
export interface LocalGlue {
  startCrawler(input: unknown): Promise<Record<string, never>>;
  /**
   * Advances a running crawl by one poll, then describes the crawler. The poll that finds the crawl's polls used up
   * (`runningPolls` 0) finishes it: it crawls the lake and ends READY.
   */
  getCrawler(input: unknown): Promise<GetCrawlerOutput>;
  /** GetCrawler's answer without advancing anything: the crawl stays where it is. */
  describeCrawler(): Promise<GetCrawlerOutput>;
  /** The crawler's state now. */
  crawlerState(): Promise<CrawlerState>;
  /** Replaces the crawler's state (as another actor would change it; runs of other dates read it too). */
  setCrawlerState(state: CrawlerState): Promise<void>;
  /** A running crawl as StartCrawler starts one: the previous LastCrawl shown, the configured polls to go. */
  runningCrawl(previous: CrawlerState): CrawlerState;
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
    throw new CrawlerSettingsRefusedError({ problems });
  }

  const read = async (): Promise<CrawlerState> => {
    const text = await readFile(paths.crawlerFile, "utf8").catch(() => undefined);
    return text ? (JSON.parse(text) as CrawlerState) : { state: "READY", runningPolls: 0 };
  };
  const write = async (file: CrawlerState) => {
    await mkdir(paths.catalog, { recursive: true });
    // Runs of other dates poll the same crawler and must never read half a file.
    await writeJsonAtomic(paths.crawlerFile, file);
  };

  /** A crawl that reads the lake when it finishes, so whatever was written by then is registered. */
  const runningCrawl = (previous: CrawlerState): CrawlerState => ({
    // Glue keeps showing the previous crawl's LastCrawl while a new one runs.
    ...(previous.lastCrawl ? { lastCrawl: previous.lastCrawl } : {}),
    state: "RUNNING",
    runningPolls: options.runningPolls ?? 1,
    startTime: new Date().toISOString(),
  });

  const finish = async (current: CrawlerState): Promise<CrawlerState> => {
    const StartTime = current.startTime ?? new Date().toISOString();
    let lastCrawl: CrawlerState["lastCrawl"];
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
    const done: CrawlerState = { state: "READY", runningPolls: 0, lastCrawl };
    await write(done);
    return done;
  };

  const describe = (current: CrawlerState): GetCrawlerOutput => ({
    Crawler: {
      Name: LOCAL_CRAWLER_NAME,
      State: current.state,
      ...(current.lastCrawl ? { LastCrawl: current.lastCrawl } : {}),
    },
  });

  return {
    async startCrawler(_input) {
      const current = await read();
      if (current.state === "RUNNING") throw new CrawlerRunningError({ crawler: LOCAL_CRAWLER_NAME });
      await write(runningCrawl(current));
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

    crawlerState: read,
    setCrawlerState: write,
    runningCrawl,
  };
}
