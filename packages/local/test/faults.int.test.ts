import { ConfigError } from "@tunelake/core/errors";
import { startSampleServer } from "@tunelake/sample-api/sample-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalAthena } from "../src/athena.ts";
import { crawlCuratedZone } from "../src/catalog.ts";
import { EXTRACT_CRASH_AFTER_REQUESTS } from "../src/faults/extract-crash.ts";
import { FAULTS, type LocalServices, parseFaults, sampleFaultsFor, withFaults } from "../src/faults/index.ts";
import { CRASHING_ENTITY } from "../src/faults/transform-crash.ts";
import { INJECTED_CHECK_NAME } from "../src/faults/validation-failed.ts";
import { createLocalGlue } from "../src/glue.ts";
import type { LocalHandlers, LocalLambdaContext } from "../src/handlers.ts";
import { localLambdaContext } from "../src/lambda-context.ts";
import { tempHome, writeCuratedFixture } from "./lake-fixture.ts";

const DATE = "2026-11-21";

describe("fault injection", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  let seen: { extract: LocalLambdaContext[]; transform: unknown[] };
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
    await writeCuratedFixture(home, DATE);
    seen = { extract: [], transform: [] };
  });
  afterEach(async () => cleanup());

  const services = (): LocalServices => {
    const handlers: LocalHandlers = {
      async extract(_input, context) {
        if (context) seen.extract.push(context);
        return { done: true };
      },
      async transform(input) {
        seen.transform.push(input);
        return { ok: true };
      },
    };
    return { handlers, glue: createLocalGlue({ home }), athena: createLocalAthena({ home }) };
  };
  const context = () =>
    localLambdaContext({ functionName: "tunelake-extract", functionArn: "arn:local", timeoutMs: 900_000 });

  it("refuses unknown fault names before anything runs, listing the known ones", () => {
    // Act
    const refusal = (() => {
      try {
        return parseFaults(["crawler-failed", "disk-full"]);
      } catch (error) {
        return error as Error & { issues?: string[] };
      }
    })();

    // Assess
    expect(refusal).toBeInstanceOf(ConfigError);
    expect(refusal).toMatchObject({ name: "UnknownFaultError", unknown: ["disk-full"], badInput: true });
    expect(String((refusal as Error).message)).toMatch(/^Unknown --inject-fault disk-full\./);
    expect((refusal as { issues?: string[] }).issues).toEqual(FAULTS.map((f) => `${f.name}: ${f.description}`));
    expect(parseFaults(["crawler-failed", "crawler-failed"])).toEqual(["crawler-failed"]);
  });

  it("maps the spotify-* faults to fresh sample API switches and ignores the engine's", () => {
    // Act
    const first = sampleFaultsFor(["spotify-429", "spotify-5xx", "spotify-drift", "crawler-failed"]);
    first.rateLimit!.count--;
    const second = sampleFaultsFor(["spotify-429"]);

    // Assess
    expect(first).toEqual({ rateLimit: { count: 2, retryAfterSeconds: 1 }, serverError: { count: 3 }, drift: true });
    expect(second).toEqual({ rateLimit: { count: 3, retryAfterSeconds: 1 } });
    expect(sampleFaultsFor(["extract-crash", "validation-failed"])).toEqual({});
  });

  it("wraps nothing without engine faults", () => {
    // Prepare
    const plain = services();

    // Act
    const wrapped = withFaults(plain, ["spotify-quota"]);

    // Assess
    expect(wrapped).toBe(plain);
  });

  it("gives only the first Extract slice little time (extract-timeout)", async () => {
    // Prepare
    const { handlers } = withFaults(services(), ["extract-timeout"]);

    // Act
    await handlers.extract({ date: DATE }, context());
    await handlers.extract({ date: DATE }, context());

    // Assess
    const [first, second] = seen.extract.map((c) => c.getRemainingTimeInMillis());
    expect(first).toBeLessThanOrEqual(4);
    expect(second).toBeGreaterThan(800_000);
    // The rest of the Lambda context is passed on as it came.
    expect(seen.extract[0]?.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("ends every Extract attempt's time after its requests, then crashes the runtime if the slice stopped (extract-crash)", async () => {
    // Prepare: an extract that sends `requests` requests to the sample API, then answers as a slice does
    const server = await startSampleServer();
    const remaining: number[] = [];
    const extractSending = (requests: number): LocalServices => ({
      ...services(),
      handlers: {
        ...services().handlers,
        async extract(_input, ctx) {
          for (let i = 0; i < requests; i++) await fetch(`${server.apiBaseUrl}/artists/${i}`).then((r) => r.text());
          remaining.push(ctx?.getRemainingTimeInMillis() ?? -1);
          return { done: remaining.at(-1) !== 0 };
        },
      },
    });
    try {
      // Act
      const crashed = withFaults(extractSending(EXTRACT_CRASH_AFTER_REQUESTS), ["extract-crash"]).handlers;
      const crash = await crashed.extract({ date: DATE }, context()).catch((e: Error) => e);
      const again = await crashed.extract({ date: DATE }, context()).catch((e: Error) => e);
      const short = withFaults(extractSending(EXTRACT_CRASH_AFTER_REQUESTS - 1), ["extract-crash"]).handlers;
      const answered = await short.extract({ date: DATE }, context());

      // Assess
      expect(crash).toMatchObject({ name: "Runtime.ExitError", fault: "extract-crash" });
      expect(again).toMatchObject({ name: "Runtime.ExitError" });
      expect(answered).toEqual({ done: true });
      expect(remaining.slice(0, 2)).toEqual([0, 0]);
      expect(remaining[2]).toBeGreaterThan(800_000);
    } finally {
      await server.close();
    }
  });

  it("crashes the first transform attempt of one entity only (transform-crash)", async () => {
    // Prepare
    const { handlers } = withFaults(services(), ["transform-crash"]);

    // Act
    const crash = await handlers.transform({ date: DATE, entity: CRASHING_ENTITY }).catch((e: Error) => e);
    const retried = await handlers.transform({ date: DATE, entity: CRASHING_ENTITY });
    const other = await handlers.transform({ date: DATE, entity: "albums" });

    // Assess
    expect(crash).toMatchObject({ name: "Runtime.ExitError" });
    expect([retried, other]).toEqual([{ ok: true }, { ok: true }]);
    expect(seen.transform).toHaveLength(2);
  });

  it("has StartCrawler find someone else's crawl running once (crawler-running), which registers nothing", async () => {
    // Prepare
    const { glue } = withFaults(services(), ["crawler-running"]);

    // Act
    const first = await glue.startCrawler({}).catch((e: Error) => e);
    await glue.getCrawler({});
    const ended = await glue.getCrawler({});
    const second = await glue.startCrawler({});

    // Assess
    expect(first).toMatchObject({ name: "Glue.CrawlerRunningException" });
    expect(String((first as Error).message)).toContain("injected fault crawler-running");
    expect(ended.Crawler).toMatchObject({ State: "READY", LastCrawl: { Status: "SUCCEEDED" } });
    expect(second).toEqual({});
  });

  it("ends the run's crawl FAILED (crawler-failed), and never ends it (crawler-stuck)", async () => {
    // Prepare
    const failing = withFaults(services(), ["crawler-failed"]).glue;

    // Act
    await failing.startCrawler({});
    await failing.getCrawler({});
    const failed = await failing.getCrawler({});
    const stuck = withFaults(services(), ["crawler-stuck"]).glue;
    await stuck.startCrawler({});
    const polls = [await stuck.getCrawler({}), await stuck.getCrawler({}), await stuck.getCrawler({})];

    // Assess
    expect(failed.Crawler).toMatchObject({
      State: "READY",
      LastCrawl: { Status: "FAILED", ErrorMessage: "Injected fault crawler-failed: the crawl failed." },
    });
    expect(polls.map((p) => p.Crawler.State)).toEqual(["RUNNING", "RUNNING", "RUNNING"]);
  });

  it("puts an injected failed check first in the checks' results (validation-failed), and leaves other queries alone", async () => {
    // Prepare
    await crawlCuratedZone(home);
    const { athena } = withFaults(services(), ["validation-failed"]);
    const results = async (sql: string) => {
      const started = await athena.startQueryExecutionSync({ QueryString: sql });
      return athena.getQueryResults({ QueryExecutionId: started.QueryExecution.QueryExecutionId });
    };

    // Act
    const checks = await results("SELECT 'x' AS check_name, 0 AS failed_rows");
    const other = await results("SELECT count(*) AS n FROM tracks");

    // Assess
    expect(checks.ResultSet.Rows).toEqual([
      { Data: [{ VarCharValue: "check_name" }, { VarCharValue: "failed_rows" }] },
      { Data: [{ VarCharValue: INJECTED_CHECK_NAME }, { VarCharValue: "1" }] },
      { Data: [{ VarCharValue: "x" }, { VarCharValue: "0" }] },
    ]);
    expect(other.ResultSet.Rows).toHaveLength(2);
  });
});
