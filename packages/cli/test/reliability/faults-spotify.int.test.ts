/**
 * Faults of the Spotify API (the sample API's fault switches, as `--inject-fault spotify-*` sets them), end to end on
 * the local engine: each is retried to success with the same tables as a clean run, or fails with a notification
 * naming the cause and a redrive that completes.
 */
import { CURATED_TABLES } from "@tunelake/core/lake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  fingerprint,
  outbox,
  redrivePipeline,
  runPipeline,
  startSample,
  suiteConfig,
  type TableFingerprint,
  tempHomes,
} from "./harness.ts";

const DATE = CLEAN_RUN_DATE;

describe("Spotify faults on the local engine", () => {
  let clean: TableFingerprint[];
  const { newHome, cleanupAll } = tempHomes();

  beforeAll(async () => {
    // Prepare: the tables of a clean run are what every retried run must end with.
    clean = (await cleanRun()).fingerprint;
    expect(clean.filter((t) => t.rows > 0).map((t) => t.table)).toHaveLength(CURATED_TABLES.length);
  });
  afterAll(async () => {
    await cleanupAll();
  });

  it.each([
    ["spotify-429", "429 with Retry-After"],
    ["spotify-5xx", "503 Service unavailable"],
    ["spotify-malformed", "a truncated JSON body"],
  ])("retries %s (%s) to success with the same tables as a clean run", async (fault) => {
    // Prepare
    const home = await newHome(fault);
    const server = await startSample([fault]);

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, faults: [fault] }).finally(() => server.close());

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect((record.output as { extract: { retries: number } }).extract.retries).toBeGreaterThan(0);
    expect(await fingerprint(home, DATE)).toEqual(clean);
    expect(await outbox(home)).toEqual([]);
  });

  it("retries requests that time out (slow responses) to success with the same tables", async () => {
    // Prepare: two responses take 1.5 s, the request timeout is 1 s.
    const home = await newHome("slow");
    const server = await startSample([], { faults: { slow: { ms: 1500, count: 2 } } });
    const config = await suiteConfig({ requestTimeoutSeconds: 1 });

    // Act
    const { record } = await runPipeline({ home, server, config, date: DATE }).finally(() => server.close());

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect((record.output as { extract: { retries: number } }).extract.retries).toBeGreaterThanOrEqual(2);
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("stops at once on QUOTA_EXCEEDED (spotify-quota), notifies when to retry, and a redrive completes", async () => {
    // Prepare
    const home = await newHome("quota");
    const server = await startSample(["spotify-quota"]);
    try {
      // Act
      const failed = await runPipeline({ home, server, date: DATE, faults: ["spotify-quota"] });
      const notes = await outbox(home);
      server.setFaults({});
      const redriven = await redrivePipeline({ home, server, name: DATE });

      // Assess
      expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract" });
      expect(failed.record.error).toBe("SpotifyQuotaExceededError");
      expect(failed.record.cause).toMatch(/QUOTA_EXCEEDED.*Retry after \d{4}-\d\d-\d\dT/);
      expect(notes).toHaveLength(1);
      expect(notes[0]?.Subject).toBe(`tunelake run ${DATE} failed at Extract`);
      expect(notes[0]?.Message).toContain("SpotifyQuotaExceededError");
      expect(notes[0]?.Message).toContain(`tunelake redrive ${DATE}`);
      expect(failed.stderr.join("")).toContain("[NotifyFailure]");
      expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
      expect(await fingerprint(home, DATE)).toEqual(clean);
    } finally {
      await server.close();
    }
  });

  it.each([
    ["spotify-token-revoked", "SpotifyRefreshTokenRevokedError", /invalid_grant.*npx tunelake auth/s],
    ["spotify-premium-lapsed", "SpotifyPremiumRequiredError", /Premium.*npx tunelake (run|redrive)/s],
  ])("fails at once on %s with %s, retried by neither the client nor the state machine", async (fault, name, fix) => {
    // Prepare
    const home = await newHome(fault);
    const server = await startSample([fault]);
    const config = await suiteConfig();

    // Act
    const { record } = await runPipeline({ home, server, config, date: DATE, faults: [fault] }).finally(() =>
      server.close(),
    );

    // Assess: one Extract attempt: one token request per kind, at most one request per worker before the stop.
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: name });
    expect(record.cause).toMatch(fix);
    const { byEndpoint, requests } = server.stats();
    const tokens = byEndpoint["POST /api/token"] ?? 0;
    expect(tokens).toBeLessThanOrEqual(2);
    expect(requests - tokens).toBeLessThanOrEqual(config.extract.concurrency);
  });

  it("fails with SpotifyServerError when Spotify stays down (5xx on every request), and a redrive completes once it is back", async () => {
    // Prepare: one client retry, then the state machine's retries of the Lambda: every attempt meets 503.
    const home = await newHome("down");
    const server = await startSample([], { faults: { serverError: { count: 1_000_000 } } });
    const config = await suiteConfig({ maxRetries: 1 });
    try {
      // Act
      const failed = await runPipeline({ home, server, config, date: DATE });
      const notes = await outbox(home);
      server.setFaults({});
      const redriven = await redrivePipeline({ home, server, config, name: DATE });

      // Assess
      expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "SpotifyServerError" });
      expect(failed.record.cause).toMatch(/HTTP 503.*run again later/);
      expect(notes[0]?.Message).toContain("SpotifyServerError");
      expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
      expect(await fingerprint(home, DATE)).toEqual(clean);
    } finally {
      await server.close();
    }
  });
});
