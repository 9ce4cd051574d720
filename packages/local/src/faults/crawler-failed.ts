/** The run's own crawl ends READY with LastCrawl FAILED, without crawling. */
import { endingCrawl } from "./crawl-ending.ts";
import { defineFault } from "./define-fault.ts";

/** The LastCrawl ErrorMessage of the failed crawl. */
export const FAILED_CRAWL_MESSAGE = "Injected fault crawler-failed: the crawl failed.";

export default defineFault({
  name: "crawler-failed",
  description: "the crawl ends READY with LastCrawl FAILED (the run fails; redrive resumes at StartCrawler)",
  target: "glue",
  apply: (glue) => {
    let failing: string | undefined;
    return {
      ...glue,
      async startCrawler(input) {
        const started = await glue.startCrawler(input);
        failing = (await glue.crawlerState()).startTime;
        return started;
      },
      getCrawler: endingCrawl(
        glue,
        () => failing,
        (StartTime) => ({ Status: "FAILED", ErrorMessage: FAILED_CRAWL_MESSAGE, StartTime }),
      ),
    };
  },
});
