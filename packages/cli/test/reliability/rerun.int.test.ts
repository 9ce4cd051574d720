/**
 * Reruns and concurrency: the same date run again and reprocessed gives identical tables (row counts and content);
 * two live runs of one date are refused, as Step Functions refuses a duplicate execution name.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { tableDeclaration } from "@tunelake/core/tables/index";
import { openLocalCatalog } from "@tunelake/local/catalog";
import { getExecution, listExecutions, saveExecution } from "@tunelake/local/executions";
import { describe, expect, it } from "vitest";
import { tunelake, tunelakeBinary } from "../helpers.ts";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  copyCleanHome,
  fingerprint,
  listFiles,
  runPipeline,
  sampleSuite,
} from "./harness.ts";

const DATE = CLEAN_RUN_DATE;

/** The first value of a query over the home's catalog, as a number. */
async function countRows(home: string, sql: string): Promise<number> {
  const catalog = await openLocalCatalog(home);
  try {
    const [row] = await catalog.query(sql);
    return Number(row?.n ?? 0);
  } finally {
    catalog.close();
  }
}

describe("reruns and concurrent runs", () => {
  const sample = sampleSuite();
  const { newHome } = sample;

  it("gives identical tables (row counts and content hash) when a date runs three times and is reprocessed", async () => {
    // Prepare
    const home = await newHome("rerun");
    const prints = [];
    const curatedFiles = [];

    // Act
    for (const mode of ["extract", "extract", "extract", "reprocess"] as const) {
      const { record } = await runPipeline({ home, server: sample.server, date: DATE, input: { date: DATE, mode } });
      expect(record.status, record.cause).toBe("SUCCEEDED");
      prints.push(await fingerprint(home, DATE));
      curatedFiles.push(await listFiles(path.join(home, "lake", "curated")));
    }

    // Assess
    expect(prints[0]?.every((t) => t.rows > 0 && t.hash.length === 32)).toBe(true);
    for (const later of prints.slice(1)) expect(later).toEqual(prints[0]);
    // Replaced, never duplicated: the same files after every run.
    for (const later of curatedFiles.slice(1)) expect(later).toEqual(curatedFiles[0]);
    expect((await listExecutions(home)).map((e) => e.name).sort()).toEqual([
      DATE,
      `${DATE}-2`,
      `${DATE}-3`,
      `${DATE}-4`,
    ]);
  });

  it("refuses the second of two concurrent runs of one date (the real CLI), and the first completes", async () => {
    // Prepare
    const home = await newHome("concurrent");
    const args = ["--home", home, "run", "--date", DATE];

    // Act
    const [a, b] = await Promise.all([tunelakeBinary(args), tunelakeBinary(args)]);

    // Assess
    const results = [a, b].sort((x, y) => x.code - y.code);
    const [winner, refused] = results as [typeof a, typeof a];
    expect(winner.code, winner.stderr).toBe(0);
    expect(winner.stdout).toContain("SUCCEEDED");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /ExecutionAlreadyRunningError: A run of 2026-11-21 is still going \(execution \S+\)/,
    );
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const executions = await listExecutions(home);
    expect(executions.map((e) => [e.name, e.status])).toEqual([[DATE, "SUCCEEDED"]]);
  });

  it("completes two concurrent runs of different dates in one home, each with complete tables", async () => {
    // Prepare
    const home = await newHome("two-dates");
    const other = "2026-11-20";

    // Act
    const [a, b] = await Promise.all([
      runPipeline({ home, server: sample.server, date: DATE }),
      runPipeline({ home, server: sample.server, date: other }),
    ]);

    // Assess
    expect(
      [a.record.status, b.record.status],
      `${a.record.cause} | ${b.record.cause} | ${a.record.failedStage}`,
    ).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    // Snapshot and observation tables are the state of each date: complete on both. A fact (plays) is meant to be
    // stored once, in the partition of the run that saw it first; with both dates running at once either may see it
    // first (and the later date asks Spotify only for plays after the earlier date's newest). Checked here: no fact is
    // lost between the two dates. Not yet true: two transforms of different dates that run at the same moment can both
    // store the same play (neither sees the other's partition yet); the closing notes of this work track it.
    const [first, second] = [await fingerprint(home, DATE), await fingerprint(home, other)];
    const isFact = (t: { table: string }) => tableDeclaration(t.table).kind === "fact";
    const shown = JSON.stringify([first, second].map((p) => p.map((t) => [t.table, t.rows])));
    expect(
      first.filter((t) => !isFact(t)).every((t) => t.rows > 0),
      shown,
    ).toBe(true);
    expect(
      second.filter((t) => !isFact(t)).map((t) => t.rows),
      shown,
    ).toEqual(first.filter((t) => !isFact(t)).map((t) => t.rows));
    for (const fact of (await cleanRun()).fingerprint.filter(isFact)) {
      const key = tableDeclaration(fact.table).key.join(", ");
      const distinct = await countRows(
        home,
        `SELECT count(*) AS n FROM (SELECT DISTINCT ${key} FROM ${fact.table} WHERE dt IN ('${DATE}', '${other}'))`,
      );
      expect(distinct, `${fact.table}: distinct keys on ${DATE} and ${other}; ${shown}`).toBe(fact.rows);
    }
  });

  it("takes over a run date whose run died (stale lock), marks that run FAILED and redrivable, and runs", async () => {
    // Prepare: a RUNNING execution and a lock left by a process that no longer exists.
    const home = await newHome("stale");
    const dead = 2 ** 22 + 12345;
    await saveExecution(home, {
      name: DATE,
      executionArn: `arn:aws:states:local:000000000000:execution:tunelake-local:${DATE}`,
      stateMachineArn: "arn:aws:states:local:000000000000:stateMachine:tunelake-local",
      date: DATE,
      input: { date: DATE, mode: "extract" },
      status: "RUNNING",
      startDate: new Date().toISOString(),
      currentStage: "Transform",
      faults: [],
      redriveCount: 0,
      pid: dead,
    });
    const locks = path.join(home, "executions", ".locks");
    await mkdir(locks, { recursive: true });
    await writeFile(
      path.join(locks, `${DATE}.lock`),
      JSON.stringify({ pid: dead, host: hostname(), name: DATE, startedAt: new Date().toISOString() }),
    );

    // Act
    const { record } = await runPipeline({ home, server: sample.server, date: DATE });

    // Assess
    expect(record).toMatchObject({ name: `${DATE}-2`, status: "SUCCEEDED" });
    const abandoned = await getExecution(home, DATE);
    expect(abandoned).toMatchObject({ status: "FAILED", failedStage: "Transform" });
    expect(abandoned.cause).toContain(`tunelake redrive ${DATE}`);
    await expect(readFile(path.join(locks, `${DATE}.lock`))).rejects.toThrow();
  });

  it("refuses a run while the date's lock file cannot be read (broken: locks are linked into place whole), naming the file", async () => {
    // Prepare
    const home = await newHome("lock-unreadable");
    const lock = path.join(home, "executions", ".locks", `${DATE}.lock`);
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, "");

    // Act
    const run = runPipeline({ home, server: sample.server, date: DATE });

    // Assess
    await expect(run).rejects.toThrow(
      expect.objectContaining({
        name: "ExecutionAlreadyRunningError",
        message: expect.stringContaining(`${lock}, which cannot be read. If no run of that date is going, delete it`),
      }),
    );
    expect(await listExecutions(home)).toEqual([]);
  });

  it("names the broken file when an execution record is not JSON (the real CLI), instead of a bare SyntaxError", async () => {
    // Prepare
    const home = await copyCleanHome(await newHome("corrupt-record"));
    const file = path.join(home, "executions", DATE, "execution.json");
    await writeFile(file, '{"name": "2026-11-21", "status": "SUCC');

    // Act
    const result = await tunelake(["--home", home, "executions"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`ExecutionRecordCorruptError: ${file} is not valid JSON`);
    expect(result.stderr).toContain("delete its execution folder");
  });
});
