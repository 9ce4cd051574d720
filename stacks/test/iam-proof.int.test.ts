/**
 * The IAM proof: every AWS call of a daily run (two days, so day 2 reads day 1's data), made by the principal that
 * makes it, is allowed by the synthesized template's policies, evaluated with @cloud-copilot/iam-simulate (a
 * devDependency, AGPL-3.0, never shipped). Extract and transform really run, against an S3-protocol server (s3rver)
 * and the sample Spotify API, and their S3 requests are recorded on the store's client; the failure notifier handles a
 * failed execution's event and its SDK commands are recorded at its clients' `send`; the rest comes from the
 * definition and the template (daily-run-calls.ts). Removing any statement a call relies on makes the proof fail.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../packages/core/src/config/load.ts";
import { runExtract } from "../../packages/core/src/extract/run-extract.ts";
import { TRANSFORM_ENTITY_NAMES } from "../../packages/core/src/lake.ts";
import { createConsoleLogger } from "../../packages/core/src/logger.ts";
import { exampleUserSources } from "../../packages/core/src/sources/index.ts";
import { S3ObjectStore } from "../../packages/core/src/storage/s3-store.ts";
import { runTransform } from "../../packages/core/src/transform/run-transform.ts";
import { parameterChangedAt } from "../../packages/functions/src/notifier-deps.ts";
import { createNotifyFailureHandler } from "../../packages/functions/src/notify-failure.ts";
import type { OfflineSynth } from "../offline-app.ts";
import { type Statement, type TemplatePolicies, templatePolicies } from "../template-policies.ts";
import {
  type AwsCall,
  lakeFunctionId,
  notifierCallsOf,
  type RecordedS3Call,
  type RecordedSdkCall,
  recordS3Calls,
  s3CallsOf,
  serviceCalls,
  stackPrincipals,
} from "./iam-proof/daily-run-calls.ts";
import {
  allowStatements,
  type Decision,
  describeDenials,
  evaluateCalls,
  unusedGrants,
  wildcardMatch,
  without,
} from "./iam-proof/evaluate.ts";
import { synthTestStage } from "./synth-fixture.ts";

const DATES = ["2026-11-20", "2026-11-21"] as const;

let synth: OfflineSynth;
let policies: TemplatePolicies;
let calls: AwsCall[];
let decisions: Decision[];
const cleanups: (() => Promise<void>)[] = [];

/** Identical calls evaluate identically: keep one of each (the first `why`). */
function unique(list: AwsCall[]): AwsCall[] {
  const seen = new Map<string, AwsCall>();
  for (const call of list) {
    const key = JSON.stringify([call.principal, call.action, call.resource, call.context]);
    if (!seen.has(key)) seen.set(key, call);
  }
  return [...seen.values()];
}

beforeAll(async () => {
  // Prepare: the template, an S3-protocol server with the stack's two lake buckets, the sample API.
  // The repository's config with every user source on: the stage then needs the user refresh token, and the notifier
  // reads when it was set.
  const configDir = await mkdtemp(path.join(os.tmpdir(), "tunelake-iam-config-"));
  cleanups.push(() => rm(configDir, { recursive: true, force: true }));
  const userConfig = path.join(configDir, "tunelake.config.json");
  const repoConfig = JSON.parse(
    await readFile(path.resolve(import.meta.dirname, "../../tunelake.config.json"), "utf8"),
  );
  await writeFile(
    userConfig,
    JSON.stringify({ ...repoConfig, sources: { ...repoConfig.sources, user: exampleUserSources() } }),
  );
  const sourcesFile = process.env.TUNELAKE_SOURCES_FILE;
  process.env.TUNELAKE_SOURCES_FILE = userConfig;
  const { synth: s, template } = await synthTestStage({ bundle: false }).finally(() => {
    if (sourcesFile === undefined) delete process.env.TUNELAKE_SOURCES_FILE;
    else process.env.TUNELAKE_SOURCES_FILE = sourcesFile;
  });
  synth = s;
  policies = templatePolicies(template);
  const principals = stackPrincipals(policies);
  const bucket = (prefix: string) =>
    policies.nameOf(policies.idsOf("AWS::S3::Bucket").find((id) => id.startsWith(prefix))!);
  const [rawBucket, curatedBucket] = [bucket("RawBucket"), bucket("CuratedBucket")];
  const tmp = await mkdtemp(path.join(os.tmpdir(), "tunelake-iam-proof-"));
  const s3rver = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory: path.join(tmp, "s3rver"),
    configureBuckets: [{ name: rawBucket }, { name: curatedBucket }],
  });
  const { port } = await s3rver.run();
  const server = await startSampleServer();
  cleanups.push(
    () => server.close(),
    () => s3rver.close(),
    () => rm(tmp, { recursive: true, force: true }),
  );
  const client = () => {
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    });
    // No `Expect: 100-continue` handshake with s3rver: under a loaded suite it once answered a PutObject waiting for
    // its 100 with 408 Request Timeout. The calls the proof records are the same without it.
    s3.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) delete request.headers.Expect;
        return next(args);
      },
      { step: "finalizeRequest", name: "noExpectContinue" },
    );
    return s3;
  };
  const [extractClient, transformClient] = [client(), client()];
  const extractCalls: RecordedS3Call[] = [];
  const transformCalls: RecordedS3Call[] = [];
  recordS3Calls(extractClient, extractCalls);
  recordS3Calls(transformClient, transformCalls);
  const config = parseConfig(JSON.parse(await readFile(userConfig, "utf8")));

  // Act: two daily runs of extract and every transform entity, as the Lambdas run them.
  const raw = new S3ObjectStore({ bucket: rawBucket, client: extractClient });
  const transformRaw = new S3ObjectStore({ bucket: rawBucket, client: transformClient });
  const curated = new S3ObjectStore({ bucket: curatedBucket, client: transformClient });
  for (const date of DATES) {
    await runExtract({
      config,
      date,
      store: raw,
      spotify: sampleEnv(server, true),
      dataSource: "sample",
      client: { backoffBaseMs: 1, backoffMaxMs: 20 },
      execution: `${date}-run`,
    });
    for (const entity of TRANSFORM_ENTITY_NAMES) {
      await runTransform({ entity, date, raw: transformRaw, curated, workDir: path.join(tmp, "work") });
    }
  }
  // Listed with a client of its own: the test's listing is not a call of the run.
  const curatedKeys = (await new S3ObjectStore({ bucket: curatedBucket, client: client() }).list("")).filter((key) =>
    key.includes(`dt=${DATES[1]}/`),
  );
  // The failure notifier on the event of an execution that failed where no Catch saw it: it reads the execution and
  // publishes. Its clients answer at `send`, which records each command.
  const machineId = policies.idsOf("AWS::StepFunctions::StateMachine")[0]!;
  const executionArn = `arn:aws:states:us-east-1:123456789012:execution:${policies.nameOf(machineId)}:${DATES[1]}`;
  const notifierCalls: RecordedSdkCall[] = [];
  const recording = (answer: Record<string, unknown>) => ({
    send: (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      notifierCalls.push({ command: command.constructor.name, input: { ...command.input } });
      return answer;
    }) as never,
  });
  const notifierEnv = (
    policies.resources[lakeFunctionId(policies, "failure alerts")]!.Properties!.Environment as {
      Variables: Record<string, unknown>;
    }
  ).Variables;
  const tokenParameter = notifierEnv.SPOTIFY_REFRESH_TOKEN_PARAMETER;
  expect(tokenParameter, "the proof's config asks for user sources").toBeTypeOf("string");
  await createNotifyFailureHandler(async () => ({
    sfn: recording({ executionArn, status: "FAILED", error: "States.Runtime", cause: "x", redriveCount: 0 }),
    sns: recording({ MessageId: "m-1" }),
    refreshTokenSetAt: parameterChangedAt(
      recording({ Parameters: [{ Name: tokenParameter, LastModifiedDate: new Date("2026-06-01T00:00:00Z") }] }),
      String(tokenParameter),
    ),
    topicArn: String(policies.resolve(notifierEnv.FAILURE_TOPIC_ARN)),
    stage: "test",
    logger: createConsoleLogger("silent"),
  }))({
    "detail-type": "Step Functions Execution Status Change",
    detail: { executionArn, name: DATES[1], status: "FAILED" },
  });

  calls = unique([
    ...extractCalls.flatMap((c) => s3CallsOf(principals.extract, "extract", c)),
    ...transformCalls.flatMap((c) => s3CallsOf(principals.transform, "transform", c)),
    ...notifierCalls.flatMap((c) => notifierCallsOf(policies, principals.notifier, c)),
    ...serviceCalls(policies, { date: DATES[1], curatedKeys }),
  ]);
  decisions = await evaluateCalls(policies, calls);
}, 600_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await synth?.cleanup();
});

describe("IAM proof of a daily run", () => {
  it("allows every call of a daily run under the role (or service) that makes it", () => {
    // Assess: the run really made the calls that failed a first deploy, and nothing is denied.
    expect(calls.some((c) => c.resource.includes("/_checkpoints/dt=") && c.action === "s3:GetObject")).toBe(true);
    expect(
      calls.some((c) => c.action === "s3:ListBucket" && String(c.context["s3:prefix"]).startsWith("_checkpoints/dt=")),
    ).toBe(true);
    expect(calls.some((c) => c.principal === "cloudwatch.amazonaws.com" && c.action === "sns:Publish")).toBe(true);
    // The failure rule invokes the notifier, which reads the execution and publishes the alert.
    expect(calls.some((c) => c.principal === "events.amazonaws.com" && c.action === "lambda:InvokeFunction")).toBe(
      true,
    );
    const notifier = stackPrincipals(policies).notifier;
    for (const action of ["states:DescribeExecution", "sns:Publish", "kms:GenerateDataKey"])
      expect(calls.some((c) => c.principal === notifier && c.action === action)).toBe(true);
    // The crawler runs in S3 event mode: S3 publishes the day's Parquet files to its queue, and it consumes them.
    expect(calls.some((c) => c.principal === "s3.amazonaws.com" && c.action === "sqs:SendMessage")).toBe(true);
    expect(calls.some((c) => c.action === "sqs:ReceiveMessage")).toBe(true);
    expect(calls.some((c) => c.action === "s3:ListBucket" && c.context["s3:prefix"] === `tracks/dt=${DATES[1]}/`)).toBe(
      true,
    );
    expect(calls.length).toBeGreaterThan(100);
    expect(describeDenials(decisions)).toEqual([]);
  });

  it("reports the grants no call of a daily run uses", () => {
    const unused = unusedGrants(policies, decisions);
    // A report, not a verdict: some grants serve other runs (redrive, reprocess, a crawl of a table with no new
    // partition) or AWS's side of a feature (vended log delivery set up at deploy).
    console.info(
      `IAM proof: ${unused.length} grants unused by a daily run:\n${unused
        .map((g) => `  ${g.role} ${g.action} ${g.resource}`)
        .join("\n")}`,
    );
    expect(Array.isArray(unused)).toBe(true);
  });

  it("fails when any statement a call relies on is removed, naming the denied call", async () => {
    const stillPassing: string[] = [];
    const proofs: string[] = [];

    // Act: remove one Allow statement at a time and evaluate the allowed calls it covers.
    for (const ref of allowStatements(policies)) {
      const governed = (call: AwsCall) =>
        ref.kind === "identity"
          ? call.principal === ref.owner
          : call.resource === ref.owner || call.resource.startsWith(`${ref.owner}/`);
      const covered = decisions
        .filter((d) => d.allowed && governed(d.call) && statementCovers(ref.statement, d.call))
        .map((d) => d.call);
      if (covered.length === 0) continue;
      const denied = describeDenials(await evaluateCalls(policies, covered, without(policies, ref)));
      const name = `${ref.owner} ${ref.policy}#${ref.index} ${JSON.stringify(ref.statement.Action)}`;
      if (denied.length === 0) stillPassing.push(name);
      else proofs.push(`without ${name}: denied ${denied[0]}`);
    }

    // Assess: every statement some call relies on is needed, and its removal names a denied call.
    console.info(`IAM proof: ${proofs.length} statements each needed:\n  ${proofs.join("\n  ")}`);
    expect(proofs.length).toBeGreaterThan(10);
    expect(proofs.some((p) => p.includes("_checkpoints"))).toBe(true);
    expect(proofs.some((p) => p.includes("s3.amazonaws.com sqs:SendMessage"))).toBe(true);
    expect(proofs.some((p) => p.includes("sqs:ReceiveMessage"))).toBe(true);
    // The notifier's grants, and the function policy that lets only the failure rule invoke it.
    for (const denied of ["states:DescribeExecution", "sns:Publish", "kms:GenerateDataKey", "lambda:InvokeFunction"])
      expect(proofs.some((p) => p.toLowerCase().includes("notifyfailurefn") && p.includes(denied))).toBe(true);
    expect(stillPassing).toEqual([]);
  }, 600_000);
});

/** Whether an Allow statement's action and resource patterns match a call (its conditions aside). */
function statementCovers(statement: Statement, call: AwsCall): boolean {
  const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return (
    list(statement.Action).some((a) => wildcardMatch(a.toLowerCase(), call.action.toLowerCase())) &&
    (statement.Resource === undefined || list(statement.Resource).some((r) => wildcardMatch(r, call.resource)))
  );
}
