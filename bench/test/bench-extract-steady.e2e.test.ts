import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { DIFFERENCE_COUNTS } from "../refetch-explain.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

// The steady-state benchmark on 2 days of a small config: its shape, and that its figures are what the sample server
// counted (the per-day requests add up to the buckets', the cold day is the changing scenario's first), and that
// every difference from a full refetch is accounted for: explained by a documented lag, or unexplained (none).
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
    const counts = DIFFERENCE_COUNTS;
    const tables = Object.values(d.byTable) as Record<(typeof counts)[number], number>[];
    for (const t of tables) for (const count of counts) expect(typeof t[count]).toBe("number");
    const sum = (pick: (t: (typeof tables)[number]) => number) => tables.reduce((n, t) => n + pick(t), 0);
    expect(d.identityRows).toBe(sum((t) => t.missingRows + t.extraRows));
    expect(d.laggedRows).toBe(sum((t) => t.laggedRows));
    expect(d.otherRows).toBe(sum((t) => t.otherRows));
    expect(d.identityRows + d.laggedRows + d.otherRows > 0).toBe(!s.tablesMatchFullRefetch);
    // Every differing row is either explained by a documented lag or unexplained, per table and in total.
    for (const t of tables) {
      expect(t.releaseLagRows + t.unexplainedIdentityRows).toBe(t.missingRows + t.extraRows);
    }
    expect(d.explained.releaseLagRows).toBe(sum((t) => t.releaseLagRows));
    expect(d.explained.fieldLagRows).toBe(d.laggedRows);
    expect(d.unexplainedRows).toBe(d.otherRows + sum((t) => t.unexplainedIdentityRows));
    expect(d.explained.releaseLagRows + d.explained.fieldLagRows + d.unexplainedRows).toBe(
      d.identityRows + d.laggedRows + d.otherRows,
    );
    expect(s.differencesExplained).toBe(d.unexplainedRows === 0);
    // An unexplained difference is a bug (docs/tables.md, "What a carried row can miss"), whatever the day holds.
    expect(d.unexplainedRows).toBe(0);
    expect(s.exhaustedDay.artistAlbumsBudget).toBeLessThan(cold.byBucket["artist-albums"]);
    expect(typeof s.exhaustedDay.completed).toBe("boolean");
    expect(s.changingBound === null).toBe(s.changingBoundNotReported.length > 0);
  }, 120_000);
});
