import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

// The crawl-work benchmark on a small lake (6 dates): its shape, and that its figures are the stand-in's counters
// (the crawl of the last day in event mode reads what day 1 read; crawling everything reads every date's files).
describe("npm run bench -- --only crawl --json", () => {
  it("prints the folders listed and files read on day 1 and day N, in event mode and crawling everything", async () => {
    // Act
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/index.ts", "--only", "crawl", "--days", "6", "--json"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );

    // Assert
    const { crawl, transform } = JSON.parse(stdout.trim().split("\n").pop() ?? "");
    expect(transform).toBeUndefined();
    expect(crawl.days).toBe(6);
    const { eventMode, crawlEverything } = crawl;
    expect(eventMode.day1.mode).toBe("listing");
    expect(eventMode.lastDay.mode).toBe("events");
    expect(eventMode.day1.filesRead).toBe(crawl.tables);
    expect(eventMode.lastDay.filesRead).toBe(eventMode.day1.filesRead);
    expect(eventMode.lastDay.events).toBe(crawl.tables);
    expect(eventMode.filesReadRatio).toBe(1);
    expect(crawlEverything.lastDay.filesRead).toBe(6 * crawlEverything.day1.filesRead);
    expect(crawlEverything.filesReadRatio).toBe(6);
  }, 180_000);
});
