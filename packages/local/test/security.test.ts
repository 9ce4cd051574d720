/**
 * Hostile input against the local runtime (README, "Hostile input"): names that would climb out of the executions
 * folder, a pid the system gave to another process, a home that is a file or a glob, a corrupt catalog, and a home
 * moved or copied to another path.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cp, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { InputError } from "@tunelake/core/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { crawlCuratedZone, openLocalCatalog, readCatalog } from "../src/catalog.ts";
import { CatalogCorruptError, HomeInvalidError } from "../src/errors.ts";
import { type ExecutionRecord, getExecution, getHistory, lockRunDate, saveExecution } from "../src/executions.ts";
import { causeText } from "../src/history.ts";
import { createLocalOutbox } from "../src/outbox.ts";
import { checkLocalHome, localPaths } from "../src/paths.ts";
import { currentProcess, isLiveOwner, processStartTime } from "../src/process-identity.ts";
import { createLocalRuns } from "../src/runs.ts";
import { fixtureHandlers, tempHome, writeCuratedFixture } from "./lake-fixture.ts";

const DATE = "2026-11-21";

const running = (name: string, owner: Partial<ExecutionRecord>): ExecutionRecord => ({
  name,
  executionArn: `arn:aws:states:local:000000000000:execution:tunelake:${name}`,
  stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:tunelake",
  date: DATE,
  input: { date: DATE },
  status: "RUNNING",
  startDate: "2026-11-21T06:00:00.000Z",
  currentStage: "Transform",
  faults: [],
  redriveCount: 0,
  ...owner,
});

describe("hostile input to the local runtime", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
    await cleanup();
  });

  it.each(["../../x", "..", ".locks", "a/b"])(
    "refuses the execution name %j before any path is built",
    async (name) => {
      // Act / Assess
      expect(() => localPaths(home).execution(name)).toThrow(InputError);
      await expect(getExecution(home, name)).rejects.toThrow(/is not an execution name/);
      await expect(getHistory(home, name)).rejects.toBeInstanceOf(InputError);
      await expect(saveExecution(home, running(name, {}))).rejects.toBeInstanceOf(InputError);
      await expect(stat(join(home, "..", "x"))).rejects.toThrow(/ENOENT/);
      const runs = createLocalRuns({ home, handlers: async () => fixtureHandlers(home).handlers });
      await expect(runs.abort(name)).rejects.toBeInstanceOf(InputError);
    },
  );

  it("records the process start time (/proc/<pid>/stat field 22 on Linux) and host beside the pid", () => {
    // Act
    const me = currentProcess();

    // Assess
    expect(me).toMatchObject({ pid: process.pid, host: hostname() });
    if (process.platform === "linux") expect(me.pidStart).toMatch(/^\d+$/);
    expect(isLiveOwner(me)).toBe(true);
    expect(isLiveOwner({ ...me, pidStart: "1" })).toBe(false);
    expect(isLiveOwner({ ...me, host: "another-host" })).toBe(false);
    expect(processStartTime(-1)).toBeUndefined();
  });

  it("takes over a run date whose lock names a reused pid (alive, but started at another time), marking the run FAILED", async () => {
    // Prepare: a lock and a RUNNING record left by a process whose pid now belongs to this live test process.
    const reused = { pid: process.pid, host: hostname(), pidStart: "1" };
    await saveExecution(home, running(DATE, reused));
    await mkdir(localPaths(home).locks, { recursive: true });
    await writeFile(
      join(localPaths(home).locks, `${DATE}.lock`),
      JSON.stringify({ ...reused, name: DATE, startedAt: "2026-11-21T06:00:00.000Z" }),
    );

    // Act
    const release = await lockRunDate(home, DATE, `${DATE}-2`);

    // Assess
    await release();
    const record = await getExecution(home, DATE);
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "States.Runtime" });
    expect(record.pid).toBeUndefined();
  });

  it("never signals a reused pid on abort: the other process lives on, the run is marked FAILED", async () => {
    // Prepare: a live process that is not the run's (its start time differs from the recorded one).
    const bystander = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    children.push(bystander);
    await new Promise((resolve) => bystander.once("spawn", resolve));
    const pid = bystander.pid as number;
    await saveExecution(home, running(DATE, { pid, host: hostname(), pidStart: "1" }));
    const runs = createLocalRuns({ home, handlers: async () => fixtureHandlers(home).handlers, abortTimeoutMs: 500 });

    // Act
    const details = await runs.abort(DATE);

    // Assess
    expect(details.status).toBe("FAILED");
    expect(bystander.exitCode).toBeNull();
    expect(bystander.signalCode).toBeNull();
    expect(() => process.kill(pid, 0)).not.toThrow();
  });

  it("neither signals nor fails a run recorded on another host: abort says to stop it there", async () => {
    // Prepare: the record's pid is alive here (this process), but the run belongs to another machine.
    await saveExecution(home, running(DATE, { ...currentProcess(), host: "build-box-7" }));
    const runs = createLocalRuns({ home, handlers: async () => fixtureHandlers(home).handlers });

    // Act
    const act = runs.abort(DATE);

    // Assess
    await expect(act).rejects.toThrow(/runs on host build-box-7/);
    expect((await getExecution(home, DATE)).status).toBe("RUNNING");
  });

  it("marks a run whose process is gone FAILED on abort, as before", async () => {
    // Prepare
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => gone.once("exit", resolve));
    await saveExecution(home, running(DATE, { pid: gone.pid, host: hostname(), pidStart: "12345" }));
    const runs = createLocalRuns({ home, handlers: async () => fixtureHandlers(home).handlers });

    // Act
    const details = await runs.abort(DATE);

    // Assess
    expect(details.status).toBe("FAILED");
  });

  it("redacts credentials from what the engine stores: history causes and outbox messages", async () => {
    // Prepare
    const leak = "Spotify said: Bearer BQleaked0123456789 and refresh_token=AQleaked0123456789";
    const outbox = createLocalOutbox({ home, execution: DATE, stderr: () => undefined });

    // Act
    await outbox.publish({ Subject: "failed", Message: JSON.stringify({ cause: leak }) });
    const cause = causeText(new Error(leak));

    // Assess
    const stored = await readFile(join(localPaths(home).outbox, `${DATE}-1.json`), "utf8");
    for (const text of [stored, cause]) {
      expect(text).not.toContain("BQleaked0123456789");
      expect(text).not.toContain("AQleaked0123456789");
      expect(text).toContain("Bearer ***");
    }
  });

  it("refuses a home that is a file, naming it", async () => {
    // Prepare
    const file = join(home, "not-a-folder");
    await writeFile(file, "x");

    // Act / Assess
    expect(() => checkLocalHome(file)).toThrow(HomeInvalidError);
    expect(() => checkLocalHome(file)).toThrow(`The tunelake home ${file} is a file, not a folder`);
    expect(new HomeInvalidError({ home: file, problem: "file" }).badInput).toBe(true);
  });

  it.each(["lake*", "who?", "dates[1]"])("refuses a home path with the glob character in %j, naming it", (name) => {
    // Act / Assess
    expect(() => checkLocalHome(join(home, name))).toThrow(HomeInvalidError);
    expect(() => checkLocalHome(join(home, name))).toThrow(`${join(home, name)} has a glob character`);
  });

  it.each([
    ["not JSON", "{ broken"],
    ["not a catalog", JSON.stringify({ tables: "none" })],
    [
      "a table that is not tunelake's",
      JSON.stringify({ tables: [{ name: "../../etc", columns: [], partitions: [] }] }),
    ],
  ])("names a corrupt catalog file (%s) as bad input", async (_what, text) => {
    // Prepare
    await mkdir(localPaths(home).catalog, { recursive: true });
    await writeFile(localPaths(home).catalogFile, text);

    // Act
    const act = openLocalCatalog(home);

    // Assess
    await expect(act).rejects.toBeInstanceOf(CatalogCorruptError);
    await expect(act).rejects.toThrow(localPaths(home).catalogFile);
  });

  it("reads a moved home's own data, and a copied home's after the original is deleted", async () => {
    // Prepare: a crawled home, then the same data under another path.
    const original = join(home, "first");
    await writeCuratedFixture(original, DATE);
    await crawlCuratedZone(original);
    const counts = async (at: string) => {
      const catalog = await openLocalCatalog(at);
      try {
        return await catalog.query(
          "SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM playlist_items) AS items",
        );
      } finally {
        catalog.close();
      }
    };
    const before = await counts(original);
    const moved = join(home, "moved");
    const copied = join(home, "copied");

    // Act: mv, then cp -r and delete what it was copied from.
    await rename(original, moved);
    const afterMove = await counts(moved);
    await cp(moved, copied, { recursive: true });
    await rm(moved, { recursive: true });
    const afterCopy = await counts(copied);

    // Assess
    expect(Number(before[0]?.tracks)).toBeGreaterThan(0);
    expect(afterMove).toEqual(before);
    expect(afterCopy).toEqual(before);
    expect((await readCatalog(copied))?.tables.every((t) => t.location.startsWith(copied))).toBe(true);
    // The catalog file still names the folder it was crawled in: that path is ignored, not read.
    expect(await readFile(localPaths(copied).catalogFile, "utf8")).toContain(original);
  });
});
