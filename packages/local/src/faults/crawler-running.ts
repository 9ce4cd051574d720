/**
 * Someone else's crawl, started before this run's files were written: StartCrawler finds it running, and it ends
 * SUCCEEDED without registering anything of this run, so the run must wait for it, then crawl again.
 */
import { CrawlerRunningError } from "../errors.ts";
import { endingCrawl } from "./crawl-ending.ts";
import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "crawler-running",
  description: "StartCrawler finds the crawler already running (the run waits for it)",
  target: "glue",
  apply: (glue) => {
    let used = false;
    let elsewhere: string | undefined;
    return {
      ...glue,
      async startCrawler(input) {
        const current = await glue.crawlerState();
        if (used || current.state === "RUNNING") return glue.startCrawler(input);
        used = true;
        const started = glue.runningCrawl(current);
        elsewhere = started.startTime;
        await glue.setCrawlerState(started);
        const { Crawler } = await glue.describeCrawler();
        throw new CrawlerRunningError({ crawler: Crawler.Name, fault: "crawler-running" });
      },
      getCrawler: endingCrawl(
        glue,
        () => elsewhere,
        (StartTime) => ({ Status: "SUCCEEDED", StartTime }),
      ),
    };
  },
});
