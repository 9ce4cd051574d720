/**
 * Faults inside the run (`--inject-fault` for the transform, crawler and validation; a crashing transform after
 * another entity finished; a failing object store), end to end on the local engine: retried to complete tables, or
 * failed with a notification naming the cause and a redrive that completes without redoing what had succeeded.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { getHistory, type HistoryEvent } from "@tunelake/local/executions";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  copyCleanHome,
  FaultyStore,
  failTracksAfterArtists,
  fingerprint,
  outbox,
  redrivePipeline,
  runPipeline,
  startSample,
  type TableFingerprint,
  tempHomes,
} from "./harness.ts";

const DATE = CLEAN_RUN_DATE;

const enteredStates = (events: readonly HistoryEvent[]) =>
  events.filter((e) => e.stateEnteredEventDetails).map((e) => (e.stateEnteredEventDetails as { name: string }).name);
const afterRedrive = (events: readonly HistoryEvent[]) =>
  events.slice(events.findIndex((e) => e.type === "ExecutionRedriven"));
const taskErrors = (events: readonly HistoryEvent[]) =>
  events.filter((e) => e.type === "TaskFailed").map((e) => (e.taskFailedEventDetails as { error: string }).error);

describe("faults inside a run on the local engine", () => {
  let server: SampleServer;
  let clean: TableFingerprint[];
  const { newHome, cleanupAll } = tempHomes();

  beforeAll(async () => {
    server = await startSample();
    clean = (await cleanRun()).fingerprint;
  });
  afterAll(async () => {
    await server.close();
    await cleanupAll();
  });

  it.each([
    ["transform-crash", "Runtime.ExitError"],
    ["crawler-running", undefined],
  ])("retries or waits out %s and ends with the same tables as a clean run", async (fault, retriedError) => {
    // Prepare
    const home = await newHome(fault);

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, faults: [fault] });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
    expect(await outbox(home)).toEqual([]);
    const history = await getHistory(home, DATE);
    if (retriedError) expect(taskErrors(history)).toEqual([retriedError]);
    // crawler-running: the run waits for the other crawl to end, then starts its own (StartCrawler twice).
    else expect(enteredStates(history).filter((s) => s === "StartCrawler")).toHaveLength(2);
  });

  it.each([
    ["crawler-failed", "StartCrawler", "CrawlerFailedError", /last crawl with status FAILED/],
    ["crawler-stuck", "StartCrawler", "CrawlerTimeoutError", /still not READY after 3 polls/],
    ["validation-failed", "Validate", "ValidationFailedError", /injected_fault_validation_failed=1/],
  ])(
    "fails on %s at %s with %s, notifies, and a redrive resumes there and completes",
    async (fault, stage, error, cause) => {
      // Prepare
      const home = await newHome(fault);

      // Act
      const failed = await runPipeline({ home, server, date: DATE, faults: [fault], crawlerPollLimit: 3 });
      const notes = await outbox(home);
      const redriven = await redrivePipeline({ home, server, name: DATE });

      // Assess
      expect(failed.record).toMatchObject({ status: "FAILED", failedStage: stage, error });
      expect(failed.record.cause).toMatch(cause);
      expect(notes).toHaveLength(1);
      expect(notes[0]?.Subject).toBe(`tunelake run ${DATE} failed at ${stage}`);
      expect(notes[0]?.Message).toContain(error);
      // The one next step that works, in the notification too: a redrive, except after failed checks, which a
      // redrive would run on the same data again.
      if (fault === "validation-failed") {
        expect(notes[0]?.Message).toContain(
          `Next: fix the transform or the sources, then rebuild the date from raw with: tunelake run --date ${DATE} --reprocess`,
        );
        expect(failed.record.cause).not.toContain("redrive");
        // Only checks that failed are named: the others passed with 0 failed rows.
        expect(failed.record.cause).not.toMatch(/=0\b/);
        expect(failed.record.cause).toContain("injected_fault_validation_failed=1 - -");
      } else {
        expect(notes[0]?.Message).toContain(`Next: resume at ${stage} with: tunelake redrive ${DATE}`);
      }
      if (fault === "crawler-failed") expect(failed.record.cause).not.toContain("CloudWatch");
      expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
      const resumed = enteredStates(afterRedrive(await getHistory(home, DATE)));
      expect(resumed).toContain(stage);
      expect(resumed).not.toContain("Extract");
      expect(resumed).not.toContain("Transform");
      expect(await fingerprint(home, DATE)).toEqual(clean);
    },
  );

  it("keeps crawler-stuck to its own run: the next plain run of the date meets no running crawler", async () => {
    // Prepare
    const home = await newHome("stuck-then-plain");
    await runPipeline({ home, server, date: DATE, faults: ["crawler-stuck"], crawlerPollLimit: 2 });

    // Act
    const { record } = await runPipeline({ home, server, date: DATE });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(taskErrors(await getHistory(home, record.name))).toEqual([]);
  });

  it("fails when one transform crashes for good after another entity finished, keeps that entity's tables, and a redrive completes", async () => {
    // Prepare: the tracks transform waits until artists is written, then fails with a terminal error (first run only).
    const home = await newHome("mid-transform");
    const { transform: crashTracks, finished } = failTracksAfterArtists(
      "out of disk space (injected)",
      // The user entity is still writing when tracks fails.
      async (entity) => {
        if (entity === "user") await new Promise((resolve) => setTimeout(resolve, 1500));
      },
    );

    // Act
    const failed = await runPipeline({ home, server, date: DATE, transform: crashTracks });
    const finishedWhenFailed = [...finished].sort();
    const curatedAfterFailure = await readdir(path.join(home, "lake", "curated"));
    const notes = await outbox(home);
    const redriven = await redrivePipeline({ home, server, name: DATE });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "TransformError" });
    expect(failed.record.cause).toContain("Transform tracks could not build table tracks");
    // The run is reported over only once the other entities' transforms are done (nothing writes behind a redrive).
    expect(finishedWhenFailed).toEqual(["albums", "artists", "playlists", "search_results", "user"]);
    expect(curatedAfterFailure).toContain("artists");
    expect(curatedAfterFailure).not.toContain("tracks");
    expect(notes[0]?.Message).toContain("TransformError");
    expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
    expect(enteredStates(afterRedrive(await getHistory(home, DATE)))).not.toContain("Extract");
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("retries a write to the curated store that fails once (StorageError) and ends with complete tables", async () => {
    // Prepare
    const home = await newHome("store-once");
    let store: FaultyStore | undefined;
    const curated = (inner: ConstructorParameters<typeof FaultyStore>[0]) => {
      store = new FaultyStore(inner, { op: "upload", prefix: "tracks/", times: 1 });
      return store;
    };

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, curated });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(store?.failures).toBe(1);
    expect(taskErrors(await getHistory(home, DATE))).toEqual(["StorageError"]);
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("fails with StorageError when the raw store refuses every write, notifies, and a redrive completes once it works", async () => {
    // Prepare
    const home = await newHome("store-always");
    const raw = (inner: ConstructorParameters<typeof FaultyStore>[0]) =>
      new FaultyStore(inner, { op: "put", prefix: "_manifests/", times: Number.POSITIVE_INFINITY });

    // Act
    const failed = await runPipeline({ home, server, date: DATE, raw });
    const notes = await outbox(home);
    const redriven = await redrivePipeline({ home, server, name: DATE });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "StorageError" });
    expect(failed.record.cause).toContain("_manifests/dt=2026-11-21/manifest.json");
    expect(taskErrors(await getHistory(home, DATE)).filter((e) => e === "StorageError")).toHaveLength(4);
    expect(notes[0]?.Message).toContain("StorageError");
    expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("fails with StorageError when the curated store refuses one table for good, keeps that table's previous files, and a redrive completes", async () => {
    // Prepare: the clean run's home, then a rerun whose album_artists upload always fails.
    const home = await copyCleanHome(await newHome("store-table"));
    const file = path.join(home, "lake", "curated", "album_artists", `dt=${DATE}`, "part-00000.parquet");
    const before = await readFile(file);
    const curated = (inner: ConstructorParameters<typeof FaultyStore>[0]) =>
      new FaultyStore(inner, { op: "upload", prefix: "album_artists/", times: Number.POSITIVE_INFINITY });

    // Act
    const failed = await runPipeline({ home, server, date: DATE, curated });
    const after = await readFile(file);
    const redriven = await redrivePipeline({ home, server, name: failed.record.name });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "StorageError" });
    expect(failed.record.cause).toContain("album_artists/dt=2026-11-21/part-00000.parquet");
    expect(after.equals(before)).toBe(true);
    expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });
});
