/**
 * The extract's checkpoint and time slices end to end on the local engine: an extract that crashes on every attempt
 * of its run is completed by `redrive` with the same tables as an uninterrupted run; an interrupted rerun never
 * replaces the published day; a slice that stops early is continued by the state machine's loop.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { manifestKey } from "@tunelake/core/lake";
import { getHistory, type HistoryEvent } from "@tunelake/local/executions";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  fingerprint,
  redrivePipeline,
  runPipeline,
  startSample,
  type TableFingerprint,
  tempHomes,
} from "./harness.ts";

const DATE = CLEAN_RUN_DATE;

const enteredStates = (events: readonly HistoryEvent[]) =>
  events.filter((e) => e.stateEnteredEventDetails).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
const taskErrors = (events: readonly HistoryEvent[]) =>
  events.filter((e) => e.type === "TaskFailed").map((e) => (e.taskFailedEventDetails as { error: string }).error);
const apiRequests = (server: SampleServer) =>
  server.stats().requests - (server.stats().byEndpoint["POST /api/token"] ?? 0);
const readManifest = async (home: string) => readFile(path.join(home, "lake", "raw", manifestKey(DATE)), "utf8");

describe("extract checkpoints and time slices on the local engine", () => {
  // A little latency, as Spotify has, so that checkpoints keep up with the requests.
  let server: SampleServer;
  let clean: TableFingerprint[];
  let dev: SampleServer;
  let devClean: TableFingerprint[];
  let devRequests: number;
  const { newHome, cleanupAll } = tempHomes();

  beforeAll(async () => {
    server = await startSample([], { latencyMs: 40 });
    clean = (await cleanRun()).fingerprint;
    dev = await startSample([], { profile: "development", latencyMs: 40 });
    const devHome = await newHome("dev-clean");
    const devRun = await runPipeline({ home: devHome, server: dev, date: DATE });
    expect(devRun.record.status, devRun.record.cause).toBe("SUCCEEDED");
    devRequests = apiRequests(dev);
    devClean = await fingerprint(devHome, DATE);
  });
  afterAll(async () => {
    await Promise.all([server.close(), dev.close()]);
    await cleanupAll();
  });

  it("fails on extract-crash after the retry also crashed, publishes nothing, and a redrive completes the same tables", async () => {
    // Prepare: the development profile, so that the extract needs more requests than two crashed attempts make.
    const home = await newHome("crash");
    const before = apiRequests(dev);

    // Act
    const failed = await runPipeline({ home, server: dev, date: DATE, faults: ["extract-crash"] });
    const manifestAfterCrash = await readManifest(home).catch(() => undefined);
    const beforeRedrive = apiRequests(dev);
    const redriven = await redrivePipeline({ home, server: dev, name: DATE });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "Runtime.ExitError" });
    expect(manifestAfterCrash).toBeUndefined();
    const history = await getHistory(home, DATE);
    expect(taskErrors(history)).toEqual(["Runtime.ExitError", "Runtime.ExitError"]);
    expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(devClean);
    // The retry and the redrive continued from the checkpoint: the units in flight at a crash finished before it (so
    // at most a few pages are asked twice), and the redrive asked for less than a whole extract.
    expect(apiRequests(dev) - before).toBeGreaterThanOrEqual(devRequests);
    expect(apiRequests(dev) - before).toBeLessThanOrEqual(devRequests + 2 * 8 * 2);
    expect(apiRequests(dev) - beforeRedrive).toBeLessThan(devRequests);
  });

  it("keeps the published day when a rerun of the date crashes: the interrupted manifest is never written", async () => {
    // Prepare
    const home = await newHome("rerun-crash");
    const first = await runPipeline({ home, server: dev, date: DATE });
    expect(first.record.status).toBe("SUCCEEDED");
    const published = await readManifest(home);

    // Act
    const failed = await runPipeline({ home, server: dev, date: DATE, faults: ["extract-crash"] });
    const reprocessed = await runPipeline({ home, server: dev, date: DATE, input: { date: DATE, mode: "reprocess" } });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract" });
    expect(await readManifest(home)).toBe(published);
    expect(reprocessed.record.status, reprocessed.record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(devClean);
  });

  it("loops on extract-timeout: the first slice stops early, the next continues, the tables are complete", async () => {
    // Prepare
    const home = await newHome("timeout");

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, faults: ["extract-timeout"] });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    const states = enteredStates(await getHistory(home, DATE));
    expect(states.filter((s) => s === "Extract").length).toBeGreaterThanOrEqual(2);
    expect(states).toContain("CountExtractSlice");
    expect(states).not.toContain("WaitForSpotify");
    expect(await fingerprint(home, DATE)).toEqual(clean);
    expect(JSON.parse(await readManifest(home)).slices).toBeGreaterThanOrEqual(2);
  });
});
