/**
 * This run's crawl never moves on: StartCrawler starts nothing and GetCrawler answers RUNNING. The home's crawler is
 * left as it was, so the next run (and this run's redrive) finds it READY instead of a crawl nobody finishes.
 */
import { defineFault } from "./define-fault.ts";

export default defineFault({
  name: "crawler-stuck",
  description: "the crawler never finishes (the run fails at the poll limit)",
  target: "glue",
  apply: (glue) => ({
    ...glue,
    startCrawler: async () => ({}),
    async getCrawler() {
      const { Crawler } = await glue.describeCrawler();
      return { Crawler: { ...Crawler, State: "RUNNING" } };
    },
  }),
});
