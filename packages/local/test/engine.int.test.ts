import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  ExecutionAlreadyRunningError,
  NotResumableError,
  SpotifyQuotaExceededError,
  SpotifyServerError,
  TransformError,
} from "@tunelake/core/errors";
import { TRANSFORM_ENTITY_NAMES } from "@tunelake/core/lake";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openLocalCatalog, readCatalog } from "../src/catalog.ts";
import { type RunLocalExecutionOptions, redriveLocalExecution, runLocalExecution } from "../src/engine.ts";
import { getExecution, getHistory, type HistoryEvent, listExecutions, saveExecution } from "../src/executions.ts";
import { CRASHING_ENTITY } from "../src/faults/transform-crash.ts";
import { fixtureHandlers, tempHome, VALID_TABLES } from "./lake-fixture.ts";

const DATE = "2026-11-21";

const entered = (events: readonly HistoryEvent[]) =>
  events
    .filter((e) => e.type.endsWith("StateEntered"))
    .map((e) => (e.stateEnteredEventDetails as { name: string }).name);
const taskFailures = (events: readonly HistoryEvent[]) =>
  events.filter((e) => e.type === "TaskFailed").map((e) => (e.taskFailedEventDetails as { error: string }).error);
const scheduledCount = (events: readonly HistoryEvent[], state: string) => {
  let current = "";
  let n = 0;
  for (const e of events) {
    if (e.type === "TaskStateEntered") current = (e.stateEnteredEventDetails as { name: string }).name;
    if (e.type === "TaskScheduled" && current === state) n++;
  }
  return n;
};
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
const afterRedrive = (events: readonly HistoryEvent[]) =>
  events.slice(events.findIndex((e) => e.type === "ExecutionRedriven"));

describe("local engine", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let stderr: string[];
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
    stderr = [];
  });
  afterEach(async () => cleanup());

  const fast = () => ({ retryIntervalMs: 5, crawlerPollMs: 5, stderr: (l: string) => stderr.push(l) });
  const run = (options: Partial<RunLocalExecutionOptions> & Pick<RunLocalExecutionOptions, "handlers">) =>
    runLocalExecution({ home, input: { date: DATE }, ...fast(), ...options });
  const outbox = async () => {
    const files = (await readdir(join(home, "outbox")).catch(() => [] as string[])).sort();
    return Promise.all(
      files.map(async (f) => ({ file: f, ...JSON.parse(await readFile(join(home, "outbox", f), "utf8")) })),
    );
  };

  it("runs the happy path: every stage once, tables queryable, history like GetExecutionHistory", async () => {
    // Prepare
    const { handlers, calls } = fixtureHandlers(home);
    const live: HistoryEvent[] = [];

    // Act
    const record = await run({ handlers, onEvent: (e) => live.push(e) });

    // Assess
    expect(record).toMatchObject({ name: DATE, status: "SUCCEEDED", date: DATE, redriveCount: 0, faults: [] });
    expect(calls.extract).toEqual([{ date: DATE, execution: DATE, refetch: false }]);
    expect(calls.transform).toHaveLength(TRANSFORM_ENTITY_NAMES.length);
    const history = await getHistory(home, DATE);
    expect(live).toEqual(history);
    expect(history[0]?.type).toBe("ExecutionStarted");
    expect(history.at(-1)?.type).toBe("ExecutionSucceeded");
    expect(history.every((e, i) => e.id === i + 1 && e.previousEventId === i)).toBe(true);
    expect(entered(history)).toEqual(
      expect.arrayContaining([
        "Prepare",
        "Extract",
        "Transform",
        "StartCrawler",
        "WaitForCrawler",
        "GetCrawler",
        "Validate",
        "GetValidationResults",
        "Succeeded",
      ]),
    );
    expect(history.filter((e) => e.type === "MapIterationSucceeded")).toHaveLength(TRANSFORM_ENTITY_NAMES.length);
    expect(history.find((e) => e.type === "MapStateStarted")).toMatchObject({
      mapStateStartedEventDetails: { length: TRANSFORM_ENTITY_NAMES.length },
    });
    expect(history.find((e) => e.type === "TaskScheduled")).toMatchObject({
      taskScheduledEventDetails: { resourceType: "lambda", resource: "invoke" },
    });
    const catalog = await openLocalCatalog(home);
    try {
      expect(await catalog.query("SELECT count(*) AS n FROM tracks")).toEqual([{ n: 3 }]);
      expect(await catalog.tables()).toEqual(expect.arrayContaining(["artists", "tracks", "top_items", "table_stats"]));
      const [row] = await catalog.query("SELECT release_date, dt FROM albums ORDER BY album_id LIMIT 1");
      expect(row).toEqual({ release_date: "2020-01-01", dt: DATE });
    } finally {
      catalog.close();
    }
    expect(await outbox()).toEqual([]);
  });

  it("reprocess mode skips Extract", async () => {
    // Prepare
    const { handlers, calls } = fixtureHandlers(home);

    // Act
    const record = await run({ handlers, input: { date: DATE, mode: "reprocess" } });

    // Assess
    expect(record.status).toBe("SUCCEEDED");
    expect(calls.extract).toEqual([]);
    expect(entered(await getHistory(home, DATE))).not.toContain("Extract");
  });

  it("retries a crashed transform attempt and succeeds (transform-crash)", async () => {
    // Prepare
    const { handlers, calls } = fixtureHandlers(home);

    // Act
    const record = await run({ handlers, faults: ["transform-crash"] });

    // Assess
    expect(record.status).toBe("SUCCEEDED");
    expect(record.faults).toEqual(["transform-crash"]);
    expect(taskFailures(await getHistory(home, DATE))).toEqual(["Runtime.ExitError"]);
    expect(calls.transform.filter((c) => (c as { entity: string }).entity === CRASHING_ENTITY)).toHaveLength(1);
  });

  it("retries a transient Spotify error from Extract and succeeds", async () => {
    // Prepare
    let attempts = 0;
    const { handlers, calls } = fixtureHandlers(home, {
      failExtract: () =>
        (attempts++ === 0
          ? new SpotifyServerError({
              reason: "requestFailed",
              endpoint: "GET /artists",
              attempts: 7,
              problem: "HTTP 503",
            })
          : undefined) as Error,
    });

    // Act
    const record = await run({ handlers });

    // Assess
    expect(record.status).toBe("SUCCEEDED");
    expect(calls.extract).toHaveLength(2);
    expect(taskFailures(await getHistory(home, DATE))).toEqual(["SpotifyServerError"]);
  });

  it("waits for a crawler that is already running (crawler-running)", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);

    // Act
    const record = await run({ handlers, faults: ["crawler-running"] });

    // Assess
    expect(record.status).toBe("SUCCEEDED");
    const history = await getHistory(home, DATE);
    expect(taskFailures(history)).toEqual(["Glue.CrawlerRunningException"]);
    expect(entered(history)).not.toContain("StartCrawlerFailed");
    // The running crawl had started before Transform wrote: the run waits for it, then crawls again itself.
    const crawlerStates = entered(history).filter((s) =>
      ["StartCrawler", "CheckCrawler", "RestartCrawler", "Validate"].includes(s),
    );
    expect(crawlerStates[0]).toBe("StartCrawler");
    expect(crawlerStates.indexOf("RestartCrawler")).toBeGreaterThan(0);
    expect(crawlerStates.filter((s) => s === "StartCrawler")).toHaveLength(2);
    expect(crawlerStates.at(-1)).toBe("Validate");
    const tracks = (await readCatalog(home))?.tables.find((t) => t.name === "tracks");
    expect(tracks?.partitions).toContain(DATE);
  });

  it("fails at the crawler poll limit (crawler-stuck), notifying; redrive starts its own crawl and succeeds", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);

    // Act
    const record = await run({ handlers, faults: ["crawler-stuck"], crawlerPollLimit: 3 });
    const history = await getHistory(home, DATE);
    const redriven = await redriveLocalExecution({ home, name: DATE, handlers, ...fast() });

    // Assess
    expect(record).toMatchObject({ status: "FAILED", error: "CrawlerTimeoutError", failedStage: "StartCrawler" });
    expect(scheduledCount(history, "GetCrawler")).toBe(4);
    expect(entered(history).slice(-2)).toEqual(["NotifyFailure", "Failed"]);
    expect(history.at(-1)).toMatchObject({
      type: "ExecutionFailed",
      // As on AWS: after NotifyFailure, Failed raises the error behind the marker the failure rule skips.
      executionFailedEventDetails: { error: "Notified.CrawlerTimeoutError" },
    });
    expect(redriven.status).toBe("SUCCEEDED");
    // The stuck crawl was this run's only: the home's crawler was never left RUNNING for the redrive to wait on.
    expect(taskFailures(afterRedrive(await getHistory(home, DATE)))).toEqual([]);
  });

  it("fails when the crawl fails (crawler-failed); redrive resumes at StartCrawler without redoing Extract or Transform", async () => {
    // Prepare
    const { handlers, calls } = fixtureHandlers(home);
    const failed = await run({ handlers, faults: ["crawler-failed"] });
    const redriveEvents: HistoryEvent[] = [];

    // Act
    const redriven = await redriveLocalExecution({
      home,
      name: failed.name,
      handlers,
      onEvent: (e) => redriveEvents.push(e),
      ...fast(),
    });

    // Assess
    expect(failed).toMatchObject({ status: "FAILED", error: "CrawlerFailedError", failedStage: "StartCrawler" });
    expect(failed.cause).toMatch(/FAILED/);
    const [message] = await outbox();
    expect(message.file).toBe(`${DATE}-1.json`);
    expect(message.Message).toMatch(/failed at stage StartCrawler/);
    expect(stderr.join("")).toMatch(/NotifyFailure/);
    expect(redriven).toMatchObject({ name: DATE, status: "SUCCEEDED", redriveCount: 1, faults: ["crawler-failed"] });
    const history = await getHistory(home, DATE);
    const resumed = afterRedrive(history);
    expect(resumed[0]).toMatchObject({ type: "ExecutionRedriven", executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(redriveEvents).toEqual(resumed);
    expect(entered(resumed)).not.toContain("Extract");
    expect(entered(resumed)).not.toContain("Transform");
    expect(entered(resumed)).toContain("StartCrawler");
    expect(calls.extract).toHaveLength(1);
    expect(calls.transform).toHaveLength(TRANSFORM_ENTITY_NAMES.length);
    expect(history.at(-1)?.type).toBe("ExecutionSucceeded");
    expect(history.every((e, i) => e.id === i + 1)).toBe(true);
  });

  it("fails at the validation gate (validation-failed) with the failed check in the cause; redrive resumes at Validate", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);
    const failed = await run({ handlers, faults: ["validation-failed"] });

    // Act
    const redriven = await redriveLocalExecution({ home, name: failed.name, handlers, ...fast() });

    // Assess
    expect(failed).toMatchObject({ status: "FAILED", error: "ValidationFailedError", failedStage: "Validate" });
    expect(failed.cause).toMatch(/injected_fault_validation_failed=1/);
    expect(redriven.status).toBe("SUCCEEDED");
    const resumed = entered(afterRedrive(await getHistory(home, DATE)));
    expect(resumed).not.toContain("StartCrawler");
    expect(resumed).toContain("Validate");
  });

  it("fails at the validation gate on real bad data (a duplicate key)", async () => {
    // Prepare
    const duplicated = `SELECT * FROM (${VALID_TABLES.artists}) UNION ALL (SELECT * FROM (${VALID_TABLES.artists}) LIMIT 1)`;
    const { handlers } = fixtureHandlers(home, { tables: { artists: duplicated } });

    // Act
    const record = await run({ handlers });

    // Assess
    expect(record).toMatchObject({ status: "FAILED", error: "ValidationFailedError", failedStage: "Validate" });
    expect(record.cause).toMatch(/artists_key_unique=1/);
  });

  it("stops on SpotifyQuotaExceededError without retrying, notifies with a useful message, and redrives from Extract", async () => {
    // Prepare
    let quota = true;
    const { handlers, calls } = fixtureHandlers(home, {
      failExtract: () =>
        (quota
          ? new SpotifyQuotaExceededError({
              reason: "quotaExceeded",
              bucket: "catalog",
              endpoint: "GET /artists",
              retryAt: new Date(Date.now() + 86_400_000),
              retryAfterSeconds: 86_400,
            })
          : undefined) as Error,
    });

    // Act
    const failed = await run({ handlers });
    quota = false;
    const redriven = await redriveLocalExecution({ home, name: DATE, handlers, ...fast() });

    // Assess
    expect(failed).toMatchObject({ status: "FAILED", error: "SpotifyQuotaExceededError", failedStage: "Extract" });
    expect(failed.cause).toMatch(/quota is exhausted \(QUOTA_EXCEEDED\) on GET \/artists/);
    expect(calls.extract.length).toBe(2);
    const [message] = await outbox();
    expect(message.Subject).toBe(`tunelake run ${DATE} failed at Extract`);
    expect(message.Message).toContain("Error: SpotifyQuotaExceededError");
    expect(message.Message).toContain("quota is exhausted");
    expect(message.Message).toContain(`execution:tunelake-local:${DATE}`);
    expect(message.Message).toContain(`tunelake redrive ${DATE}`);
    expect(redriven.status).toBe("SUCCEEDED");
  });

  it("stops on a terminal Transform error and redrives at Transform without a new Extract", async () => {
    // Prepare
    let broken = true;
    const { handlers, calls } = fixtureHandlers(home, {
      failTransform: (entity) =>
        broken && entity === "albums"
          ? new TransformError({
              reason: "buildFailed",
              entities: ["albums"],
              tables: ["albums"],
              date: "2026-11-21",
              raw: home,
              problem: "albums SQL failed",
            })
          : undefined,
    });
    const failed = await run({ handlers });
    broken = false;

    // Act
    const redriven = await redriveLocalExecution({ home, name: DATE, handlers, ...fast() });

    // Assess
    expect(failed).toMatchObject({ status: "FAILED", error: "TransformError", failedStage: "Transform" });
    expect((await getHistory(home, DATE)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["MapIterationFailed", "MapStateFailed", "FailStateEntered", "ExecutionRedriven"]),
    );
    expect(calls.transform.filter((c) => (c as { entity: string }).entity === "albums")).toHaveLength(2);
    expect(redriven.status).toBe("SUCCEEDED");
    expect(calls.extract).toHaveLength(1);
    const resumed = entered(afterRedrive(await getHistory(home, DATE)));
    expect(resumed).not.toContain("Extract");
    expect(resumed).toContain("Transform");
  });

  it("refuses a second live run of the same date, then names a rerun <date>-2", async () => {
    // Prepare
    const gate = deferred();
    const started = deferred();
    const { handlers } = fixtureHandlers(home);
    const slow = {
      ...handlers,
      async extract(input: unknown) {
        started.resolve();
        await gate.promise;
        return handlers.extract(input);
      },
    };
    const first = run({ handlers: slow });
    await started.promise;

    // Act
    const second = run({ handlers });
    const refusal = await second.catch((e: unknown) => e);
    gate.resolve();
    const firstRecord = await first;
    const rerun = await run({ handlers });

    // Assess
    expect(refusal).toBeInstanceOf(ExecutionAlreadyRunningError);
    expect(String((refusal as Error).message)).toMatch(/still running/);
    expect(firstRecord.status).toBe("SUCCEEDED");
    expect(rerun.name).toBe(`${DATE}-2`);
    expect((await listExecutions(home)).map((e) => e.name).sort()).toEqual([DATE, `${DATE}-2`]);
  });

  it("takes over a lock left by a dead process and marks its execution FAILED so it can be redriven", async () => {
    // Prepare
    const deadPid = 2 ** 22 + 12345;
    await saveExecution(home, {
      name: DATE,
      executionArn: "arn",
      stateMachineArn: "arn",
      date: DATE,
      input: { date: DATE, mode: "extract" },
      status: "RUNNING",
      startDate: new Date().toISOString(),
      currentStage: "Transform",
      faults: [],
      redriveCount: 0,
      pid: deadPid,
    });
    await mkdir(join(home, "executions", ".locks"), { recursive: true });
    const { hostname } = await import("node:os");
    await writeFile(
      join(home, "executions", ".locks", `${DATE}.lock`),
      JSON.stringify({ pid: deadPid, host: hostname(), name: DATE, startedAt: new Date().toISOString() }),
    );
    const { handlers } = fixtureHandlers(home);

    // Act
    const record = await run({ handlers });

    // Assess
    expect(record).toMatchObject({ name: `${DATE}-2`, status: "SUCCEEDED" });
    expect(await getExecution(home, DATE)).toMatchObject({
      status: "FAILED",
      failedStage: "Transform",
      error: "States.Runtime",
    });
  });

  it("refuses to redrive an execution that did not fail", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);
    await run({ handlers });

    // Act
    const refusal = redriveLocalExecution({ home, name: DATE, handlers, ...fast() });

    // Assess
    await expect(refusal).rejects.toThrow(NotResumableError);
    await expect(refusal).rejects.toThrow(/only a FAILED or ABORTED execution can be redriven/);
  });

  it("refuses an unknown resumeFrom before anything runs", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);

    // Act
    const refusal = run({ handlers, input: { date: DATE, resumeFrom: "Load" } });

    // Assess
    await expect(refusal).rejects.toThrow(/Cannot resume from "Load"/);
    expect(await listExecutions(home)).toEqual([]);
  });

  it("loops Extract slices: waits out a Retry-After in WaitForSpotify, then continues until done", async () => {
    // Prepare: slice 1 asks to wait 30 s, slice 2 stops at its deadline, slice 3 is done
    const { handlers, calls } = fixtureHandlers(home);
    const contexts: number[] = [];
    const slices = [
      { done: false, waitSeconds: 30 },
      { done: false, waitSeconds: 0 },
    ];
    const extract = handlers.extract;
    handlers.extract = async (input, context) => {
      contexts.push(context?.getRemainingTimeInMillis() ?? -1);
      const result = (await extract(input, context)) as Record<string, unknown>;
      return { ...result, ...(slices.shift() ?? {}) };
    };

    // Act
    const record = await run({ handlers, spotifyWaitMs: 5 });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    const states = entered(await getHistory(home, DATE));
    expect(states.slice(states.indexOf("Extract"), states.indexOf("Transform"))).toEqual([
      "Extract",
      "CheckExtract",
      "WaitForSpotify",
      "CountExtractSlice",
      "Extract",
      "CheckExtract",
      "CountExtractSlice",
      "Extract",
      "CheckExtract",
    ]);
    expect(calls.extract).toHaveLength(3);
    // Each slice gets a Lambda-like context with the remaining time of a 15-minute function.
    expect(contexts.every((ms) => ms > 800_000 && ms <= 900_000)).toBe(true);
  });

  it("fails at the slice limit when Extract never finishes, with the stage kept for a redrive", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);
    const extract = handlers.extract;
    handlers.extract = async (input, context) => ({
      ...((await extract(input, context)) as Record<string, unknown>),
      done: false,
    });

    // Act
    const record = await run({ handlers });

    // Assess
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "ExtractSliceLimitError" });
    expect(record.cause).toMatch(/still not done after 40 time slices/);
  });
});
