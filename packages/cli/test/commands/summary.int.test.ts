/**
 * The run summary and the live progress tell what this execution really did: the real CLI on injected faults, and
 * the local engine in-process for a transform that fails for good in one entity while the others finish.
 */
import { stripVTControlCharacters } from "node:util";
import { getHistory } from "@tunelake/local/executions";
import { afterAll, describe, expect, it } from "vitest";
import { nextStep, printSummary, type RunSummary, summarizeEvents } from "../../src/commands/summary.ts";
import { createProgress } from "../../src/progress.ts";
import { tunelake } from "../helpers.ts";
import { failTracksAfterArtists, runPipeline, sampleSuite, tempHomes } from "../reliability/harness.ts";

const DATE = "2026-11-21";
const TABLE_HEADER = /│ table\s+│ rows\s+│ rejects/;

describe("the run summary of the real CLI", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(async () => {
    await cleanupAll();
  });

  it("names the failed checks and never says they passed when validation fails", async () => {
    // Act
    const home = await newHome("validation");
    const result = await tunelake(["--home", home, "run", "--date", DATE, "--inject-fault", "validation-failed"]);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines.filter((l) => /passed/.test(l))).toEqual([]);
    expect(result.stdout).toMatch(/1 of \d+ checks failed: injected_fault_validation_failed \(1 rows\)/);
    // The outcome comes last, where the eye lands: the tables, then the failed stage, error and next step, then the
    // status line.
    const failedAt = lines.findIndex((l) => l.includes("failed stage: Validate"));
    const tablesAt = lines.findIndex((l) => TABLE_HEADER.test(l));
    expect(tablesAt).toBeGreaterThan(0);
    expect(failedAt).toBeGreaterThan(tablesAt);
    expect(lines.filter(Boolean).at(-1)).toMatch(/^FAILED {2}execution /);
    expect(result.stderr).toMatch(/✗ ValidationFailed/);
    expect(result.stderr).not.toMatch(/✓ ValidationFailed/);
  });

  it("shows no tables and no checks when Extract failed, even with an earlier run's tables in the lake", async () => {
    // Prepare: a successful run first, so the lake holds tables for the date.
    const home = await newHome("quota");
    const first = await tunelake(["--home", home, "run", "--date", DATE]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(TABLE_HEADER);

    // Act
    const result = await tunelake(["--home", home, "run", "--date", DATE, "--inject-fault", "spotify-quota"]);

    // Assess
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("failed stage: Extract");
    expect(result.stdout).toContain("error: SpotifyQuotaExceededError");
    expect(result.stdout).not.toMatch(TABLE_HEADER);
    expect(result.stdout).not.toMatch(/checks/);
    expect(result.stderr).toMatch(/✗ Extract/);
  });

  it("fails within 20 s naming an accounts URL that cannot be reached, without retry warnings", async () => {
    // Act
    const home = await newHome("unreachable");
    const started = Date.now();
    const result = await tunelake(["--home", home, "run", "--date", DATE, "--source", "spotify"], {
      SPOTIFY_CLIENT_ID: "fake-client-id",
      SPOTIFY_CLIENT_SECRET: "fake-client-secret",
      SPOTIFY_ACCOUNTS_BASE_URL: "http://127.0.0.1:9",
    });

    // Assess
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("error: SpotifyConnectionError");
    expect(result.stdout).toContain("http://127.0.0.1:9/api/token");
    expect(result.stderr).not.toMatch(/retrying/);
    // Tried once: the state machine does not retry an unreachable host as if it were a rate limit.
    expect(result.stderr.match(/attempt failed/g)).toHaveLength(1);
  });

  it("prints the summary as JSON with --json, from the same execution", async () => {
    // Act
    const home = await newHome("json");
    const result = await tunelake(["--home", home, "--json", "run", "--date", DATE, "--inject-fault", "spotify-quota"]);

    // Assess
    const summary = JSON.parse(result.stdout) as RunSummary;
    expect(summary).toMatchObject({ status: "FAILED", failedStage: "Extract", tables: [], validated: false });
    expect(summary.stages).toEqual(["Extract"]);
    expect(summary.next).toContain(`tunelake redrive ${DATE}`);
  });
});

describe("the summary and progress of a transform that fails for good in one entity", () => {
  const sample = sampleSuite();
  const { newHome } = sample;

  it("names the entity that failed, lists only the tables this run wrote, and marks that iteration with a cross", async () => {
    // Prepare: tracks fails once artists is written (terminal error, not retried).
    const home = await newHome("tracks");
    const { transform: crashTracks } = failTracksAfterArtists("injected");

    // Act
    const { record } = await runPipeline({ home, server: sample.server, date: DATE, transform: crashTracks });
    const summary = summarizeEvents(record, await getHistory(home, record.name));
    const lines: string[] = [];
    const progress = createProgress((l) => lines.push(l));
    for (const event of await getHistory(home, DATE)) progress(event);
    let printed = "";
    printSummary(summary, (t) => {
      printed += stripVTControlCharacters(t);
    });

    // Assess
    expect(summary).toMatchObject({ status: "FAILED", failedStage: "Transform", failedEntity: "tracks" });
    expect(summary.tables.map((t) => t.table)).toContain("artists");
    expect(summary.tables.map((t) => t.table)).not.toContain("tracks");
    expect(summary.validated).toBe(false);
    expect(summary.stages).toEqual(["Extract", "Transform"]);
    expect(printed).toContain("failed stage: Transform (entity tracks)");
    expect(printed).not.toMatch(/checks/);
    // Plain text: picocolors colours the lines when CI is set, as .ci/run does.
    const text = stripVTControlCharacters(lines.join(""));
    expect(text).toMatch(/✗ TransformEntity \S*tracks/);
    expect(text).toMatch(/✓ TransformEntity \S*artists/);
    expect(text).not.toMatch(/✗ TransformEntity \S*artists/);
    expect(text).toMatch(/✗ Transform\b/);
    expect(text).toMatch(/✗ TransformFailed/);
  });
});

describe("what the summary says to do next", () => {
  const base: RunSummary = {
    execution: "2026-11-21-2",
    status: "FAILED",
    date: "2026-11-21",
    stages: [],
    tables: [],
    validated: false,
    checks: [],
  };
  it.each([
    [
      "a failed check",
      { failedStage: "Validate", error: "ValidationFailedError" },
      [],
      /--reprocess/,
      /tunelake redrive/,
    ],
    [
      "an injected failed check",
      { failedStage: "Validate", error: "ValidationFailedError" },
      ["validation-failed"],
      /redrive 2026-11-21-2/,
      /reprocess/,
    ],
    ["Spotify down", { failedStage: "Extract", error: "SpotifyServerError" }, [], /redrive 2026-11-21-2/, /reprocess/],
    [
      "an invalid input",
      { failedStage: "Prepare", error: "ConfigError" },
      [],
      /tunelake run --date 2026-11-21/,
      /tunelake redrive/,
    ],
    [
      "a date never extracted",
      { failedStage: "Transform", error: "ConfigError", cause: "No raw data for run date 2026-11-21 in x" },
      [],
      /tunelake run --date 2026-11-21$/,
      /tunelake redrive/,
    ],
    [
      "refused credentials",
      { failedStage: "Extract", error: "SpotifyAuthError" },
      [],
      /SPOTIFY_CLIENT_SECRET.*redrive/,
      /reprocess/,
    ],
    [
      "a stopped run",
      { status: "ABORTED", failedStage: "Transform" },
      [],
      /resume it at Transform.*redrive/,
      /reprocess/,
    ],
  ])("after %s", (_label, fields, faults, says, doesNotSay) => {
    const next = nextStep({ ...base, ...fields }, faults);
    expect(next).toMatch(says);
    expect(next).not.toMatch(doesNotSay);
  });
});
