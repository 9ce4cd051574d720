import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

// The steady-state benchmark on 2 days of a small config: its shape, and that its figures are what the sample server
// counted (the per-day requests add up to the buckets', the cold day is the changing scenario's first).
describe("npm run bench -- --only extract-steady --json", () => {
  it("prints cold, steady and changing requests, the refetch comparison and the exhausted day, from what happened", async () => {
    // Act
    const { stdout } = await run(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/index.ts",
        "--only",
        "extract-steady",
        "--days",
        "2",
        "--exhausted-day",
        "2",
        "--tracks",
        "6",
        "--albums",
        "6",
        "--artists",
        "8",
        "--json",
      ],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );

    // Assess
    const { extractSteady: s, crawl } = JSON.parse(stdout.trim().split("\n").pop() ?? "");
    expect(crawl).toBeUndefined();
    expect(s.days).toBe(2);
    expect(s.config).toEqual({ tracks: 6, albums: 6, artists: 8 });
    const [cold, second] = s.perDay.changing;
    expect(s.coldRequests).toBe(cold.requests);
    expect(s.changingMedianRequests).toBe(second.requests);
    expect(s.steadyMedianRequests).toBe(s.perDay.steady[0].requests);
    for (const day of [...s.perDay.steady, ...s.perDay.changing]) {
      expect(day.status).toBe("SUCCEEDED");
      expect(Object.values(day.byBucket).reduce((a: number, b) => a + (b as number), 0)).toBe(day.requests);
    }
    expect(s.coldRequests).toBeGreaterThan(0);
    expect(typeof s.tablesMatchFullRefetch).toBe("boolean");
    expect(s.tablesMatchFullRefetch).toBe(s.tableMismatches.length === 0);
    // The breakdown by key adds up: per table over the days, and over the tables.
    const d = s.refetchDifferences;
    expect(d.days).toBe(1);
    expect(d.daysEqual).toBe(d.days - s.tableMismatches.length);
    const tables = Object.values(d.byTable) as Record<string, number>[];
    const sum = (pick: (t: Record<string, number>) => number) => tables.reduce((n, t) => n + pick(t), 0);
    expect(d.identityRows).toBe(sum((t) => (t.missingRows ?? 0) + (t.extraRows ?? 0)));
    expect(d.laggedRows).toBe(sum((t) => t.laggedRows ?? 0));
    expect(d.otherRows).toBe(sum((t) => t.otherRows ?? 0));
    expect(d.identityRows + d.laggedRows + d.otherRows > 0).toBe(!s.tablesMatchFullRefetch);
    expect(s.exhaustedDay.artistAlbumsBudget).toBeLessThan(cold.byBucket["artist-albums"]);
    expect(typeof s.exhaustedDay.completed).toBe("boolean");
    expect(s.changingBound === null).toBe(s.changingBoundNotReported.length > 0);
  }, 120_000);
});
