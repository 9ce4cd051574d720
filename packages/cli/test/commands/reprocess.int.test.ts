/**
 * `tunelake reprocess --from --to` (the real binary) over three dates of raw data: each date is rebuilt from raw by
 * its own `<date>-reprocess` execution, with one outcome line per date.
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { CURATED_TABLES } from "@tunelake/core/lake";
import { listExecutions } from "@tunelake/local/executions";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datesBetween } from "../../src/commands/reprocess.ts";
import { tunelake } from "../helpers.ts";
import { fingerprint, runPipeline, startSample, type TableFingerprint, tempHomes } from "../reliability/harness.ts";

const DATES = ["2026-11-19", "2026-11-20", "2026-11-21"];

describe("tunelake reprocess", () => {
  let server: SampleServer;
  let home: string;
  const before = new Map<string, TableFingerprint[]>();
  const { newHome, cleanupAll } = tempHomes();

  beforeAll(async () => {
    // Prepare: three extracted dates, then their curated tables removed (as if the transform had changed).
    server = await startSample();
    home = await newHome("reprocess");
    for (const date of DATES) {
      const { record } = await runPipeline({ home, server, date });
      expect(record.status, record.cause).toBe("SUCCEEDED");
      before.set(date, await fingerprint(home, date));
    }
    await rm(path.join(home, "lake", "curated"), { recursive: true, force: true });
  });
  afterAll(async () => {
    await server.close();
    await cleanupAll();
  });

  it("rebuilds every date of the range from raw, one named execution per date, and prints each one's outcome in date order", async () => {
    // Act
    const result = await tunelake(["--home", home, "reprocess", "--from", "2026-11-16", "--to", "2026-11-21"]);

    // Assess
    expect(result.code, result.stderr + result.stdout).toBe(0);
    for (const date of DATES) {
      expect(result.stdout).toMatch(
        new RegExp(
          `${date}  SUCCEEDED  ${date}-reprocess  ${CURATED_TABLES.length} tables, \\d+ rows, (\\d+)/\\1 checks passed`,
        ),
      );
      expect(await fingerprint(home, date)).toEqual(before.get(date));
    }
    // The dates never extracted, in a row, are one line.
    expect(result.stdout).toMatch(/^2026-11-16\.\.2026-11-18 \(3 dates\) {2}SKIPPED {2}no raw data/m);
    const dated = result.stdout.split("\n").filter((line) => /^2026-/.test(line));
    expect(dated.map((line) => line.slice(0, 10))).toEqual(["2026-11-16", ...DATES]);
    expect(result.stdout).toContain("reprocessed 3 of 6 dates, 3 skipped");
    const names = (await listExecutions(home)).map((e) => e.name).sort();
    expect(names).toEqual([...DATES, ...DATES.map((d) => `${d}-reprocess`)].sort());
  });

  it("names a second reprocess of a date so that it does not collide, and reports it as JSON with --json", async () => {
    // Act
    const result = await tunelake([
      "--home",
      home,
      "--json",
      "reprocess",
      "--from",
      DATES[0] ?? "",
      "--to",
      DATES[0] ?? "",
    ]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const [outcome] = JSON.parse(result.stdout) as { execution: string; status: string; stages: string[] }[];
    expect(outcome).toMatchObject({ execution: `${DATES[0]}-reprocess-2`, status: "SUCCEEDED" });
    expect(outcome?.stages).not.toContain("Extract");
  });

  it("refuses run --reprocess of a date never extracted up front: no execution of that date, no notification", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-10", "--reprocess"]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /NoRawDataError: No raw data for run date 2026-11-10 .*tunelake run --date 2026-11-10/,
    );
    expect((await listExecutions(home)).map((e) => e.date)).not.toContain("2026-11-10");
    await expect(readdir(path.join(home, "outbox"))).rejects.toThrow(/ENOENT/);
  });

  it.each([
    [["--from", "2026-11-21", "--to", "2026-11-19"], /--to 2026-11-19 is before --from 2026-11-21/],
    [["--from", "2026-02-30", "--to", "2026-03-01"], /Invalid run date "2026-02-30"/],
    [["--from", "2026-11-19", "--to", "2026-11-21", "--concurrency", "0"], /--concurrency must be 1-8/],
    [["--from", "2026-11-19"], /required option '--to/],
  ])("refuses %j with exit 2", async (args, message) => {
    const result = await tunelake(["--home", home, "reprocess", ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("lists the dates of a range, both ends included, across a month end, and refuses more than a year", () => {
    expect(datesBetween("2026-11-29", "2026-12-02")).toEqual(["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]);
    expect(datesBetween("2026-11-21", "2026-11-21")).toEqual(["2026-11-21"]);
    expect(() => datesBetween("2024-01-01", "2026-01-01")).toThrow(/more than 366 dates/);
  });
});
