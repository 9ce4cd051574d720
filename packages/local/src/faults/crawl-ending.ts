/**
 * The crawler faults' shared move: a crawl they started or saw start ends with a LastCrawl they choose, instead of
 * crawling the lake, on the poll that would have finished it. They change the Glue stand-in's state; the stand-in
 * knows nothing of them.
 */
import type { CrawlerState, GetCrawlerOutput, LocalGlue } from "../glue.ts";

/**
 * GetCrawler that ends the crawl started at `startTime()` (when it names one) READY with `lastCrawl` on the poll that
 * would finish it; any other crawl, or poll, is the stand-in's.
 */
export const endingCrawl =
  (
    glue: LocalGlue,
    startTime: () => string | undefined,
    lastCrawl: (startedAt: string) => NonNullable<CrawlerState["lastCrawl"]>,
  ) =>
  async (input: unknown): Promise<GetCrawlerOutput> => {
    const current = await glue.crawlerState();
    const ending = startTime();
    if (
      ending === undefined ||
      current.state !== "RUNNING" ||
      current.startTime !== ending ||
      current.runningPolls > 0
    ) {
      return glue.getCrawler(input);
    }
    await glue.setCrawlerState({ state: "READY", runningPolls: 0, lastCrawl: lastCrawl(ending) });
    return glue.describeCrawler();
  };
