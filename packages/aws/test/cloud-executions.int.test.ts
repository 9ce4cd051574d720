import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ExecutionAlreadyRunningError, InputError, NotResumableError } from "@tunelake/core/errors";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudClients } from "../src/cloud-clients.ts";
import {
  cloudDescribeExecution,
  cloudHistory,
  cloudListExecutions,
  cloudRedrive,
  cloudStartRun,
} from "../src/cloud-executions.ts";
import { detectMoto } from "./moto-server.ts";
import { type MotoStage, openMotoStage } from "./moto-stage.ts";
import { motoStageOutputs } from "./stand-in.ts";

const moto = await detectMoto();

async function waitForStatus(sfn: SFNClient, executionArn: string, done: (status: string) => boolean): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (status && done(status)) return status;
    if (Date.now() > deadline) throw new Error(`execution ${executionArn} still ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it("refuses an invalid run date before calling AWS", async () => {
  const outputs = motoStageOutputs("offline", "arn:aws:states:us-east-1:123456789012:stateMachine:none");

  await expect(cloudStartRun({ stage: outputs, date: "2026-02-30" })).rejects.toThrow(InputError);
});

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping the cloud mode over the wire.`);

describe.skipIf(!moto.available)("cloud executions over moto_server", () => {
  let fixture: MotoStage;
  let clients: CloudClients;
  let stage: StageOutputs;

  beforeAll(async () => {
    fixture = await openMotoStage("moto");
    ({ clients, outputs: stage } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it("names a run after its date, refuses a second live run of that date, and suffixes a rerun", async () => {
    // Prepare: a run of the date still RUNNING (the stand-in waits 1 s when the input says hold).
    const date = "2026-11-18";
    const live = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stage.stateMachineArn,
        name: date,
        input: JSON.stringify({ date, hold: true }),
      }),
    );

    // Act + Assess
    const refused = await cloudStartRun({ stage, clients, date }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ExecutionAlreadyRunningError);
    expect((refused as ExecutionAlreadyRunningError).running).toBe(date);
    expect(await waitForStatus(clients.sfn, live.executionArn!, (s) => s !== "RUNNING")).toBe("SUCCEEDED");
    const rerun = await cloudStartRun({ stage, clients, date, reprocess: true });
    expect(rerun).toMatchObject({ name: `${date}-2`, date, input: { date, mode: "reprocess" } });
  });

  it("refuses a live scheduled run of the date, found by its input rather than its name", async () => {
    const date = "2026-11-17";
    const scheduled = await clients.sfn.send(
      // EventBridge names scheduled executions with a random id.
      new StartExecutionCommand({
        stateMachineArn: stage.stateMachineArn,
        name: "6f1c2f54-3b1e-4a55-9d4e-0c7d1f6a9b21",
        input: JSON.stringify({ date, hold: true }),
      }),
    );

    await expect(cloudStartRun({ stage, clients, date })).rejects.toThrow(ExecutionAlreadyRunningError);
    await waitForStatus(clients.sfn, scheduled.executionArn!, (s) => s !== "RUNNING");
  });

  it("lists executions newest first with their run dates", async () => {
    const first = await cloudStartRun({ stage, clients, date: "2026-11-01" });
    await waitForStatus(clients.sfn, first.executionArn, (s) => s !== "RUNNING");
    const second = await cloudStartRun({ stage, clients, date: "2026-11-02" });

    const listed = await cloudListExecutions({ stage, clients });

    const names = listed.map((e) => e.name);
    expect(names.indexOf(second.name)).toBeLessThan(names.indexOf(first.name));
    expect(listed.find((e) => e.name === "2026-11-01")).toMatchObject({ date: "2026-11-01", status: "FAILED" });
    for (const e of listed) expect(e.startDate).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("reads an execution's whole history with ISO timestamps", async () => {
    const run = await cloudStartRun({ stage, clients, date: "2026-11-03" });
    await waitForStatus(clients.sfn, run.executionArn, (s) => s !== "RUNNING");

    const events = await cloudHistory({ stage, clients, name: run.name });

    expect(events[0]).toMatchObject({ type: "ExecutionStarted", id: 1 });
    expect(events.at(-1)).toMatchObject({ type: "ExecutionFailed" });
    expect(events.map((e) => e.stateEnteredEventDetails?.name).filter(Boolean)).toEqual([
      "Prepare",
      "Route",
      "Transform",
      "TransformFailed",
      "NotifyFailure",
      "Failed",
    ]);
    for (const e of events) expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
  });

  it("redrives a failed run as a new execution of its date that resumes at the failed stage", async () => {
    // Prepare
    const failed = await cloudStartRun({ stage, clients, date: "2026-11-04" });
    expect(await waitForStatus(clients.sfn, failed.executionArn, (s) => s !== "RUNNING")).toBe("FAILED");

    // Act
    const result = await cloudRedrive({ stage, clients, name: failed.name });

    // Assess
    expect(result).toMatchObject({ redriveOf: "2026-11-04", resumedFrom: "Transform" });
    expect(result.execution).toMatchObject({
      name: "2026-11-04-2",
      input: { date: "2026-11-04", mode: "extract", resumeFrom: "Transform" },
    });
    expect(await waitForStatus(clients.sfn, result.execution.executionArn, (s) => s !== "RUNNING")).toBe("SUCCEEDED");
    const described = await cloudDescribeExecution({ stage, clients, name: failed.name });
    expect(described).toMatchObject({ status: "FAILED", error: "TransformError", cause: "tracks: bad raw line" });
  });

  it("refuses to redrive a run that succeeded", async () => {
    const date = "2026-11-05";
    const ok = await clients.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stage.stateMachineArn,
        name: date,
        input: JSON.stringify({ date, resumeFrom: "Validate" }),
      }),
    );
    await waitForStatus(clients.sfn, ok.executionArn!, (s) => s !== "RUNNING");

    await expect(cloudRedrive({ stage, clients, name: date })).rejects.toThrow(NotResumableError);
  });
});
