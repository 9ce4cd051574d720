import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getExecution } from "@tunelake/local/executions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tunelake } from "./helpers.ts";

const DATE = "2026-11-20";

describe("tunelake run on the sample API (end to end, the real binary)", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "tunelake-e2e-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  const counts = async () => {
    const tables = [
      "artists",
      "albums",
      "album_artists",
      "tracks",
      "track_artists",
      "playlists",
      "playlist_items",
      "search_results",
    ];
    const sql = tables
      .map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t} WHERE dt = '${DATE}'`)
      .join(" UNION ALL ");
    const result = await tunelake(["--home", home, "query", `${sql} ORDER BY t`, "--json"]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { t: string; n: number }[];
  };

  it("runs every state, prints progress and a summary, and exits 0", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", DATE]);

    // Assess
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stderr).toContain("SAMPLE DATA");
    for (const state of ["Extract", "Transform", "StartCrawler", "GetCrawler", "Validate", "GetValidationResults"]) {
      expect(result.stderr).toContain(state);
    }
    expect(result.stdout).toContain("SUCCEEDED");
    expect(result.stdout).toMatch(/tracks/);
    expect(result.stdout).toMatch(/checks passed/);
  });

  it("answers queries with the same table names as Athena", async () => {
    // Act
    const result = await tunelake(["--home", home, "query", "SELECT count(*) AS n FROM tracks", "--json"]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as { n: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.n).toBeGreaterThan(0);
  });

  it("leaves every table's row count unchanged on a rerun of the same date, and on a reprocess", async () => {
    // Prepare
    const before = await counts();

    // Act
    const rerun = await tunelake(["--home", home, "run", "--date", DATE]);
    const afterRerun = await counts();
    const reprocess = await tunelake(["--home", home, "run", "--date", DATE, "--reprocess"]);
    const afterReprocess = await counts();

    // Assess
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(reprocess.code, reprocess.stderr).toBe(0);
    expect(before.every((c) => c.n > 0)).toBe(true);
    expect(afterRerun).toEqual(before);
    expect(afterReprocess).toEqual(before);
  });

  it("lists the executions: one per run, named after the date with a suffix for reruns", async () => {
    // Act
    const result = await tunelake(["--home", home, "executions", "--json"]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const names = (JSON.parse(result.stdout) as { name: string; status: string }[]).map((e) => e.name).sort();
    expect(names).toEqual([DATE, `${DATE}-2`, `${DATE}-3`]);
  });

  it("fails on an injected crawler failure, notifies, and a redrive resumes at StartCrawler", async () => {
    // Prepare
    const date = "2026-11-19";

    // Act
    const failed = await tunelake(["--home", home, "run", "--date", date, "--inject-fault", "crawler-failed"]);
    const outbox = await readdir(path.join(home, "outbox"));
    // As the README has it: `latest` is the newest execution, the one that just failed.
    const redrive = await tunelake(["--home", home, "redrive", "latest"]);
    const history = await tunelake(["--home", home, "history", "latest", "--json"]);
    const record = await getExecution(home, date);

    // Assess
    expect(failed.code).not.toBe(0);
    expect(failed.stdout + failed.stderr).toContain("StartCrawler");
    expect(outbox.length).toBeGreaterThan(0);
    const note = await readFile(path.join(home, "outbox", outbox[0] ?? ""), "utf8");
    expect(note).toContain(date);
    expect(redrive.code, redrive.stderr + redrive.stdout).toBe(0);
    const { events } = JSON.parse(history.stdout) as {
      events: { type: string; stateEnteredEventDetails?: { name: string } }[];
    };
    const redriven = events.findIndex((e) => e.type === "ExecutionRedriven");
    expect(redriven).toBeGreaterThan(0);
    const after = events.slice(redriven).filter((e) => e.stateEnteredEventDetails);
    expect(after[0]?.stateEnteredEventDetails?.name).not.toBe("Extract");
    expect(after.some((e) => e.stateEnteredEventDetails?.name === "Extract")).toBe(false);
    expect(after.some((e) => e.stateEnteredEventDetails?.name === "StartCrawler")).toBe(true);
    expect(events.at(-1)?.type).toBe("ExecutionSucceeded");
    expect(record).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
  });

  it("refuses an invalid config before any request, with an exit code and a message saying what to fix", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--config", "packages/cli/test/fixtures/bad-config.json"]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ConfigError");
    expect(result.stderr).toContain("sources.artists[0]");
  });

  it("prints the definition the stack deploys", async () => {
    // Act
    const result = await tunelake(["definition"]);

    // Assess
    expect(result.code).toBe(0);
    const asl = JSON.parse(result.stdout) as { StartAt: string; States: Record<string, unknown> };
    expect(asl.StartAt).toBe("Prepare");
    expect(Object.keys(asl.States)).toEqual(
      expect.arrayContaining(["Extract", "Transform", "StartCrawler", "Validate", "NotifyFailure"]),
    );
  });
});
