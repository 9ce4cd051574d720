/**
 * `tunelake doctor` on real temp homes: healthy, then each thing issue 27 names (a stale lock, a stuck crawler, a
 * RUNNING run whose process is gone, half-set credentials) as one line with its fix and exit 1; `--fix` repairs the
 * home's part.
 */
import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordRefreshToken } from "../../src/auth-record.ts";
import { tunelake } from "../helpers.ts";
import { tempHomes } from "../temp-homes.ts";

const { newHome, cleanupAll } = tempHomes();
afterAll(cleanupAll);

/** The pid of a process that has exited (a run's process that died). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

const DATE = "2026-11-21";

async function writeRunningExecution(home: string, pid: number): Promise<void> {
  const dir = path.join(home, "executions", DATE);
  await mkdir(dir, { recursive: true });
  const record = {
    name: DATE,
    executionArn: `arn:aws:states:local:000000000000:execution:tunelake-local:${DATE}`,
    stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:tunelake-local",
    date: DATE,
    input: { date: DATE },
    status: "RUNNING",
    startDate: new Date().toISOString(),
    currentStage: "Transform",
    faults: [],
    redriveCount: 0,
    pid,
    host: hostname(),
  };
  await writeFile(path.join(dir, "execution.json"), JSON.stringify(record));
  await writeFile(path.join(dir, "history.json"), "[]");
}

async function writeLock(home: string, pid: number): Promise<string> {
  const dir = path.join(home, "executions", ".locks");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${DATE}.lock`);
  await writeFile(file, JSON.stringify({ pid, host: hostname(), name: DATE, startedAt: new Date().toISOString() }));
  return file;
}

async function writeStuckCrawler(home: string): Promise<void> {
  await mkdir(path.join(home, "catalog"), { recursive: true });
  await writeFile(
    path.join(home, "catalog", "crawler.json"),
    JSON.stringify({ state: "RUNNING", runningPolls: 1, startTime: "2026-11-21T06:00:00.000Z" }),
  );
}

const problemLines = (stdout: string) => stdout.split("\n").filter((line) => line.startsWith("✗"));

describe("tunelake doctor", () => {
  it("exits 0 on a healthy home, one ✓ line per check", async () => {
    // Prepare
    const home = await newHome("doctor-healthy");

    // Act
    const result = await tunelake(["--home", home, "doctor"]);

    // Assess
    expect(result.code, result.stdout).toBe(0);
    expect(problemLines(result.stdout)).toEqual([]);
    expect(result.stdout).toMatch(/✓ node: Node /);
    expect(result.stdout).toMatch(/✓ duckdb: /);
    expect(result.stdout).toMatch(/✓ config: tunelake.config.json is valid/);
    expect(result.stdout).toMatch(/✓ credentials: no SPOTIFY_\* variable is set/);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe("healthy: nothing to fix");
  });

  it.each([
    [
      "a stale lock",
      async (home: string) => {
        await writeLock(home, deadPid());
      },
      /^✗ stale-lock: stale lock .*2026-11-21\.lock: its process \(pid \d+\) is gone: npx tunelake doctor --fix removes it/,
    ],
    ["a stuck crawler", writeStuckCrawler, /^✗ stuck-crawler: the local crawler is RUNNING since 2026-11-21T06:00/],
    [
      "a RUNNING run whose process is gone",
      async (home: string) => writeRunningExecution(home, deadPid()),
      /^✗ dead-run: execution 2026-11-21 is RUNNING but its process \(pid \d+\) is gone: npx tunelake doctor --fix marks it FAILED, then: npx tunelake redrive 2026-11-21/,
    ],
  ])("exits 1 on %s, with one line saying what to fix", async (_what, breakHome, line) => {
    // Prepare
    const home = await newHome("doctor-broken");
    await breakHome(home);

    // Act
    const result = await tunelake(["--home", home, "doctor"]);

    // Assess
    expect(result.code).toBe(1);
    // (Lines wrap at 80 columns; continuation lines are indented.)
    const problems = problemLines(result.stdout.replace(/\n {2}/g, " "));
    expect(Math.max(...result.stdout.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(line);
  });

  it("exits 1 on half-set credentials, naming the variables and never their values", async () => {
    // Prepare
    const home = await newHome("doctor-credentials");

    // Act
    const result = await tunelake(["--home", home, "doctor", "--json"], { SPOTIFY_CLIENT_ID: "client-id-value" });

    // Assess
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      healthy: boolean;
      checks: { name: string; ok: boolean; detail: string }[];
    };
    expect(report.healthy).toBe(false);
    expect(report.checks.filter((c) => !c.ok)).toEqual([
      {
        name: "credentials",
        ok: false,
        detail: expect.stringMatching(
          /SPOTIFY_CLIENT_ID is set but SPOTIFY_CLIENT_SECRET is not: set SPOTIFY_CLIENT_SECRET too/,
        ),
      },
    ]);
    expect(result.stdout).not.toContain("client-id-value");
  });

  it.each([
    { issuedDaysAgo: 200, ok: false, detail: /expired on \d{4}-\d\d-\d\d \(6 months after .*npx tunelake auth/ },
    {
      issuedDaysAgo: 160,
      ok: false,
      detail: /expires on \d{4}-\d\d-\d\d \(in \d+ days\): get a new one .*before then/,
    },
    { issuedDaysAgo: 10, ok: true, detail: /expires on \d{4}-\d\d-\d\d \(in 1\d\d days\)$/ },
  ])(
    "reports a refresh token issued $issuedDaysAgo days ago by tunelake auth against Spotify's 6-month expiry, without printing it",
    async ({ issuedDaysAgo, ok, detail }) => {
      // Prepare
      const home = await newHome("doctor-token");
      const token = "refresh-token-value";
      await recordRefreshToken(home, token, new Date(Date.now() - issuedDaysAgo * 86_400_000));

      // Act
      const result = await tunelake(["--home", home, "doctor", "--json"], {
        SPOTIFY_CLIENT_ID: "id",
        SPOTIFY_CLIENT_SECRET: "secret-value",
        SPOTIFY_REFRESH_TOKEN: token,
      });

      // Assess
      const report = JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.checks.find((c) => c.name === "refresh token")).toEqual({
        name: "refresh token",
        ok,
        detail: expect.stringMatching(detail),
      });
      if (!ok) expect(result.code).toBe(1);
      expect(result.stdout).not.toContain(token);
      expect(result.stdout).not.toContain("secret-value");
    },
  );

  it("--fix marks the dead run FAILED at its stage, removes its lock and resets the crawler; the home is then healthy", async () => {
    // Prepare
    const home = await newHome("doctor-fix");
    const pid = deadPid();
    await writeRunningExecution(home, pid);
    const lock = await writeLock(home, pid);
    await writeStuckCrawler(home);

    // Act
    const fixed = await tunelake(["--home", home, "doctor", "--fix"]);
    const after = await tunelake(["--home", home, "doctor"]);

    // Assess
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout.replace(/\n {2}/g, " ")).toContain(
      "marked 2026-11-21 FAILED: resume it with npx tunelake redrive 2026-11-21",
    );
    expect(after.code, after.stdout).toBe(0);
    const record = JSON.parse(await readFile(path.join(home, "executions", DATE, "execution.json"), "utf8"));
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "States.Runtime" });
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });
});
