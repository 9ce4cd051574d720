/**
 * `plays` is an append-only fact (docs/tables.md): across consecutive run dates each play is stored once, in the
 * partition of the run that first saw it, and reruns of either date change neither.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { openLocalCatalog } from "@tunelake/local/catalog";
import { describe, expect, it } from "vitest";
import { runPipeline, sampleSuite } from "./harness.ts";

const DAY_1 = "2026-11-20";
const DAY_2 = "2026-11-21";

describe("plays across run dates", () => {
  const sample = sampleSuite();
  const { newHome } = sample;

  /** Raw recently_played objects extracted for `date`. */
  const rawPlays = async (home: string, date: string) => {
    const dir = path.join(home, "lake", "raw", "recently_played", `dt=${date}`);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(".ndjson.gz"));
    let lines = 0;
    for (const file of files) {
      lines += gunzipSync(await readFile(path.join(dir, file)))
        .toString("utf8")
        .split("\n")
        .filter(Boolean).length;
    }
    return lines;
  };

  const playCounts = async (home: string) => {
    const catalog = await openLocalCatalog(home);
    try {
      const [all] = await catalog.query(
        "SELECT count(*)::INTEGER AS n, count(DISTINCT played_at)::INTEGER AS distinct_plays FROM plays",
      );
      const byDate = await catalog.query("SELECT dt, count(*)::INTEGER AS n FROM plays GROUP BY dt ORDER BY dt");
      return { n: Number(all?.n), distinct_plays: Number(all?.distinct_plays), byDate };
    } finally {
      catalog.close();
    }
  };

  it("stores each play once across two consecutive dates, asks Spotify only for newer plays, and reruns change nothing", async () => {
    // Prepare
    const home = await newHome("plays");
    const run = async (date: string) => {
      const { record } = await runPipeline({ home, server: sample.server, date, input: { date, mode: "extract" } });
      expect(record.status, record.cause).toBe("SUCCEEDED");
    };

    // Act
    await run(DAY_1);
    await run(DAY_2);
    const day2Raw = await rawPlays(home, DAY_2);
    const first = await playCounts(home);
    await run(DAY_1);
    await run(DAY_2);
    const rerun = await playCounts(home);

    // Assess
    expect(first.n).toBeGreaterThan(0);
    expect(first.n).toBe(first.distinct_plays);
    expect(rerun).toEqual(first);
    // Day 2 asked with the `after` cursor of day 1's newest play: the sample API (like Spotify) had none newer.
    expect(day2Raw).toBe(0);
    expect(await rawPlays(home, DAY_1)).toBe(first.n);
  });
});
