/**
 * The `Runs` contract: the same assertions against the local adapter (the embedded engine over a temp home, the
 * sample API) and the AWS adapter (moto_server, the stage found through CloudFormation), then the shapes of what
 * both returned compared key by key.
 */
import { StartExecutionCommand } from "@aws-sdk/client-sfn";
import {
  ExecutionAlreadyRunningError,
  ExecutionNotFoundError,
  ExecutionNotRunningError,
  NotResumableError,
} from "@tunelake/core/errors";
import type { HistoryEvent, Runs, StartRunInput } from "@tunelake/core/ports";
import { definitionJson } from "@tunelake/core/workflow/definition";
import { failedStageFromHistory } from "@tunelake/core/workflow/failed-stage";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { RESUMABLE_STAGES } from "@tunelake/core/workflow/state-names";
import { createLocalRuns } from "@tunelake/local/runs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAwsRuns } from "../../src/runs.ts";
import { detectMoto } from "../moto-server.ts";
import { FAST_TUNING, holdExtracts, openAwsBackend, openLocalBackend, shapeOf } from "./backends.ts";

const moto = await detectMoto();
const TIMEOUT = 90_000;

interface Subject {
  runs: Runs;
  /** Runs of the same backend whose starts fail at a stage (locally the validation-failed fault). */
  failing: Runs;
  /** An input whose run succeeds (the AWS stand-in succeeds when told to resume). */
  succeeding: (date: string) => StartRunInput;
  /** Keeps the reprocess runs started from now on RUNNING until stopped; returns how to let them go. */
  holdReprocess: () => () => void;
  /** Starts an execution of `date` that stays RUNNING until stopped; returns its name and how to end the test's part. */
  startLive: (date: string) => Promise<{ name: string; settle: () => Promise<unknown> }>;
  close: () => Promise<void>;
}

type Backend = "local" | "aws";
const shapes: Record<Backend, Record<string, Record<string, string>>> = { local: {}, aws: {} };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function untilRunning(runs: Runs, name: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await runs.describe(name).then(
      (d) => d.status,
      () => undefined,
    );
    if (status === "RUNNING") return;
    if (Date.now() > deadline) throw new Error(`${name} never became RUNNING (last: ${status})`);
    await sleep(50);
  }
}

async function openLocal(): Promise<Subject> {
  const backend = await openLocalBackend();
  const runs = createLocalRuns({ home: backend.home, handlers: backend.handlers, tuning: FAST_TUNING });
  const failing = createLocalRuns({
    home: backend.home,
    handlers: backend.handlers,
    tuning: FAST_TUNING,
    faults: ["validation-failed"],
  });
  return {
    runs,
    failing,
    succeeding: (date) => ({ date, mode: "extract" }),
    holdReprocess: () => holdExtracts(backend),
    async startLive(date) {
      const release = holdExtracts(backend);
      const run = runs.start({ date, mode: "extract" }).catch((error: unknown) => error);
      await untilRunning(runs, date);
      return {
        name: date,
        settle: async () => {
          release();
          return run;
        },
      };
    },
    close: backend.close,
  };
}

async function openAws(): Promise<Subject> {
  const backend = await openAwsBackend("contract");
  const runs = createAwsRuns({
    stage: backend.stage,
    root: backend.root,
    clients: backend.clients,
    pollMs: 100,
  });
  return {
    runs,
    failing: runs,
    succeeding: (date) => ({ date, mode: "extract", resumeFrom: "Validate" }),
    // The stand-in holds every reprocess.
    holdReprocess: () => () => undefined,
    async startLive(date) {
      await backend.clients.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: backend.outputs.stateMachineArn,
          name: date,
          input: JSON.stringify({ date, holdLong: true }),
        }),
      );
      await untilRunning(runs, date);
      return { name: date, settle: async () => undefined };
    },
    close: async () => {
      await runs.close();
      await backend.close();
    },
  };
}

function contract(backend: Backend, open: () => Promise<Subject>) {
  describe(`Runs (${backend})`, () => {
    let s: Subject;
    beforeAll(async () => {
      s = await open();
    }, TIMEOUT);
    afterAll(async () => s?.close());

    it(
      "starts a run named after its date, follows it to the end, and lists, describes and reads it",
      async () => {
        // Prepare
        const date = "2026-11-20";
        const live: HistoryEvent[] = [];

        // Act
        const done = await s.runs.start(s.succeeding(date), { onEvent: (e) => live.push(e) });

        // Assess
        expect(done).toMatchObject({ name: date, date, status: "SUCCEEDED", redriveCount: 0 });
        expect(done.failedStage).toBeUndefined();
        expect(Date.parse(done.startDate)).toBeLessThanOrEqual(Date.parse(done.stopDate ?? ""));
        const history = await s.runs.history(date);
        expect(history[0]?.type).toBe("ExecutionStarted");
        expect(history.at(-1)?.type).toBe("ExecutionSucceeded");
        expect(history.map((e) => e.id)).toEqual(history.map((_, i) => i + 1));
        for (const e of history) expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
        expect(live).toEqual(history);
        expect(await s.runs.describe(date)).toEqual(done);
        const listed = await s.runs.list();
        expect(listed.map((e) => e.name)).toEqual([date]);
        expect(listed[0]).toMatchObject({ name: date, date, status: "SUCCEEDED", executionArn: done.executionArn });
        shapes[backend].execution = shapeOf(listed[0] as object);
        shapes[backend].succeeded = shapeOf(done);
        shapes[backend].historyEvent = shapeOf(history[0] as object);
      },
      TIMEOUT,
    );

    it(
      "fails a run at a stage its history names too, and redrives it at that stage",
      async () => {
        // Prepare
        const date = "2026-11-21";
        const failed = await s.failing.start({ date, mode: "extract" });

        // Act
        const result = await s.runs.redrive(failed.name);

        // Assess
        expect(failed).toMatchObject({ date, status: "FAILED", error: expect.any(String), cause: expect.any(String) });
        expect(RESUMABLE_STAGES).toContain(failed.failedStage);
        expect(failedStageFromHistory(await s.runs.history(failed.name))?.stage).toBe(failed.failedStage);
        expect(result).toMatchObject({ redriveOf: failed.name, resumedFrom: failed.failedStage });
        expect(result.execution).toMatchObject({ date, status: "SUCCEEDED" });
        expect(result.execution.failedStage).toBeUndefined();
        await expect(s.runs.redrive(result.execution.name)).rejects.toThrow(NotResumableError);
        shapes[backend].failed = shapeOf(failed);
        shapes[backend].redrive = shapeOf(result);
        shapes[backend].redriven = shapeOf(result.execution);
      },
      TIMEOUT,
    );

    it(
      "refuses a second live run of a date, and aborts a live run",
      async () => {
        // Prepare
        const date = "2026-11-22";
        const live = await s.startLive(date);

        // Act
        const refused = await s.runs.start({ date, mode: "extract" }).catch((e: unknown) => e);
        const aborted = await s.runs.abort(live.name);
        await live.settle();

        // Assess
        expect(refused).toBeInstanceOf(ExecutionAlreadyRunningError);
        expect((refused as ExecutionAlreadyRunningError).running).toBe(live.name);
        expect(aborted).toMatchObject({ name: live.name, date, status: "ABORTED" });
        expect((await s.runs.describe(live.name)).status).toBe("ABORTED");
        expect((await s.runs.history(live.name)).at(-1)?.type).toBe("ExecutionAborted");
        await expect(s.runs.abort(live.name)).rejects.toThrow(ExecutionNotRunningError);
      },
      TIMEOUT,
    );

    it(
      "stops a followed run when the caller's signal aborts, and returns it ABORTED",
      async () => {
        // Prepare
        const date = "2026-11-24";
        const release = s.holdReprocess();
        const controller = new AbortController();
        const run = s.runs.start({ date, mode: "reprocess" }, { signal: controller.signal });
        await untilRunning(s.runs, date);

        // Act
        controller.abort("the test");
        const stopped = await run.finally(release);

        // Assess
        expect(stopped).toMatchObject({ name: date, date, status: "ABORTED" });
        expect(await s.runs.describe(date)).toEqual(stopped);
      },
      TIMEOUT,
    );

    it("gives the one definition its executions run, with this backend's resource names", async () => {
      // Act
      const definition = await s.runs.definition();

      // Assess
      const one = JSON.parse(definitionJson()) as StateMachineDefinition;
      expect(definition.StartAt).toBe(one.StartAt);
      expect(Object.keys(definition.States)).toEqual(Object.keys(one.States));
    });

    it(
      "reprocesses a range of dates: one outcome per date, in date order, each skipped or a reprocess execution",
      async () => {
        // Prepare: dates no other test runs (locally never extracted, so skipped; on a stage, started).
        const dates = ["2026-10-01", "2026-10-02"];
        const seen: number[] = [];

        // Act
        const outcomes = await s.runs.reprocess(dates, { concurrency: 2, onOutcome: (index) => seen.push(index) });

        // Assess
        expect(outcomes.map((o) => o.date)).toEqual(dates);
        expect([...seen].sort()).toEqual([0, 1]);
        for (const o of outcomes) {
          if ("skipped" in o) expect(o.skipped).toMatch(/no raw data/);
          else expect(o.execution).toMatchObject({ date: o.date, input: { date: o.date, mode: "reprocess" } });
        }
        // What still runs (the stage's last executions are not waited for) is stopped, so no later run meets it.
        for (const o of outcomes) {
          if ("execution" in o) await s.runs.abort(o.execution.name).catch(() => undefined);
        }
      },
      TIMEOUT,
    );

    it("names an unknown execution as not found in every call that takes a name", async () => {
      for (const call of [
        (r: Runs) => r.describe("1999-01-01"),
        (r: Runs) => r.history("1999-01-01"),
        (r: Runs) => r.redrive("1999-01-01"),
        (r: Runs) => r.abort("1999-01-01"),
      ]) {
        const error = await call(s.runs).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ExecutionNotFoundError);
        expect((error as ExecutionNotFoundError).badInput).toBe(true);
      }
    });
  });
}

contract("local", openLocal);

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping the AWS Runs adapter over the wire.`);

contract("aws", openAws);

it("returns the same shapes from both backends", () => {
  expect(Object.keys(shapes.aws).sort()).toEqual(Object.keys(shapes.local).sort());
  for (const [what, local] of Object.entries(shapes.local)) {
    expect({ what, ...shapes.aws[what] }).toEqual({ what, ...local });
  }
});
