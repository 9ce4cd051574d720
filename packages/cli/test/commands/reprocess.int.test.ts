/**
 * `tunelake reprocess --from --to` (the real binary) over three dates of raw data: each date is rebuilt from raw by
 * its own `<date>-reprocess` execution, with one outcome line per date.
 */
import { rm } from "node:fs/promises";
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

  it("rebuilds every date of the range from raw, one named execution per date, and prints each one's outcome", async () => {
    // Act
    const result = await tunelake(["--home", home, "reprocess", "--from", "2026-11-18", "--to", "2026-11-21"]);

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
    expect(result.stdout).toMatch(/2026-11-18 {2}SKIPPED {2}no raw data/);
    expect(result.stdout).toContain("reprocessed 3 of 4 dates, 1 skipped");
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
