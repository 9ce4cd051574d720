import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { ExecutionNotRunningError } from "@tunelake/core/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionStopTimeoutError } from "../src/errors.ts";
import { type ExecutionRecord, getExecution, saveExecution } from "../src/executions.ts";
import { createLocalRuns } from "../src/runs.ts";
import { tempHome } from "./lake-fixture.ts";

const DATE = "2026-11-23";
/** Above Linux's default pid_max: no process has it. */
const DEAD_PID = 2 ** 22 + 12345;

const runningRecord = (pid: number): ExecutionRecord => ({
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
  pid,
});

/**
 * A process that owns a RUNNING record as the CLI does: on SIGTERM it records the execution ABORTED and exits
 * (`ignore` keeps it running instead, as a stuck process would).
 */
async function startOwner(file: string, mode: "abort" | "ignore"): Promise<ChildProcess> {
  const script = `
    const fs = require("node:fs");
    process.on("SIGTERM", () => {
      if (${JSON.stringify(mode)} === "ignore") return;
      const record = JSON.parse(fs.readFileSync(${JSON.stringify(file)}, "utf8"));
      // Written aside and renamed into place, as the store writes records.
      fs.writeFileSync(${JSON.stringify(`${file}.tmp`)}, JSON.stringify({ ...record, status: "ABORTED", stopDate: new Date().toISOString(), error: "States.Aborted", failedStage: record.currentStage, pid: undefined }));
      fs.renameSync(${JSON.stringify(`${file}.tmp`)}, ${JSON.stringify(file)});
      process.exit(0);
    });
    setInterval(() => {}, 1000);
    console.log("ready");
  `;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await once(child.stdout as NodeJS.ReadableStream, "data");
  return child;
}

describe("local runs", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let child: ChildProcess | undefined;
  const noHandlers = async () => {
    throw new Error("handlers must not be made to list, describe, read or stop executions");
  };
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => {
    if (child && child.exitCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    child = undefined;
    await cleanup();
  });

  it("stops a run of another process with SIGTERM and returns once it is recorded ABORTED", async () => {
    // Prepare
    await saveExecution(home, runningRecord(DEAD_PID));
    child = await startOwner(join(home, "executions", DATE, "execution.json"), "abort");
    await saveExecution(home, runningRecord(child.pid ?? 0));
    const runs = createLocalRuns({ home, handlers: noHandlers });

    // Act
    const stopped = await runs.abort(DATE);

    // Assess
    expect(stopped).toMatchObject({ name: DATE, status: "ABORTED", failedStage: "Transform" });
    expect((await runs.list()).map((e) => e.status)).toEqual(["ABORTED"]);
    await expect(runs.abort(DATE)).rejects.toThrow(ExecutionNotRunningError);
  });

  it("says the run did not stop when its process ignores SIGTERM", async () => {
    await saveExecution(home, runningRecord(DEAD_PID));
    child = await startOwner(join(home, "executions", DATE, "execution.json"), "ignore");
    await saveExecution(home, runningRecord(child.pid ?? 0));
    const runs = createLocalRuns({ home, handlers: noHandlers, abortTimeoutMs: 300 });

    const refusal = await runs.abort(DATE).catch((e: unknown) => e);

    expect(refusal).toBeInstanceOf(ExecutionStopTimeoutError);
    expect(String((refusal as Error).message)).toContain(`kill ${child.pid}`);
    expect((await getExecution(home, DATE)).status).toBe("RUNNING");
  });

  it("marks a RUNNING record whose process is gone FAILED at its stage, so it can be redriven", async () => {
    await saveExecution(home, runningRecord(DEAD_PID));
    const runs = createLocalRuns({ home, handlers: noHandlers });

    const stopped = await runs.abort(DATE);

    expect(stopped).toMatchObject({ status: "FAILED", error: "States.Runtime", failedStage: "Transform" });
    expect(await runs.describe(DATE)).toEqual(stopped);
  });
});
