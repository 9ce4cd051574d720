import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectMoto, MOTO_REGION, type MotoServer } from "../../aws/test/moto-server.ts";
import { type MotoStage, openMotoStage } from "../../aws/test/moto-stage.ts";
import { type CliResult, tunelake } from "./helpers.ts";
import { REPO_CONFIG, tempHomes } from "./reliability/harness.ts";

const moto = await detectMoto();
const STAGE = "shapes";
const DATE = "2026-11-19";
const SQL = "SELECT count(*) AS n FROM tracks";

/** A JSON value's shape: object keys with their values' shapes, an array's first element's, else the type name. */
type Shape = string | { [key: string]: Shape } | Shape[];
function shapeOf(value: unknown): Shape {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length > 0 ? [shapeOf(value[0])] : [];
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, v]) => [key, shapeOf(v)]),
    );
  }
  return typeof value;
}

/**
 * Where two shapes differ, as `path: local vs stage` lines. Keys in `optional` may be missing on one side (e.g. the
 * stand-in has no Extract state, so a stage summary has no `extract`); an empty array matches any array.
 */
function shapeDifferences(local: Shape, stage: Shape, optional: ReadonlySet<string> = new Set(), at = "$"): string[] {
  if (Array.isArray(local) && Array.isArray(stage)) {
    return local.length === 0 || stage.length === 0
      ? []
      : shapeDifferences(local[0] as Shape, stage[0] as Shape, optional, `${at}[]`);
  }
  if (typeof local === "object" && typeof stage === "object" && !Array.isArray(local) && !Array.isArray(stage)) {
    const keys = [...new Set([...Object.keys(local), ...Object.keys(stage)])].sort();
    return keys.flatMap((key) => {
      const [l, s] = [local[key], stage[key]];
      if (l === undefined || s === undefined) {
        return optional.has(key)
          ? []
          : [
              `${at}.${key}: ${l === undefined ? "missing" : "present"} locally, ${s === undefined ? "missing" : "present"} on the stage`,
            ];
      }
      return shapeDifferences(l, s, optional, `${at}.${key}`);
    });
  }
  return JSON.stringify(local) === JSON.stringify(stage)
    ? []
    : [`${at}: ${JSON.stringify(local)} locally vs ${JSON.stringify(stage)} on the stage`];
}

/** The fields every history event has, whatever its type (each type adds its own `*EventDetails`). */
const eventBase = (output: unknown) => {
  const { events } = output as { events: Record<string, unknown>[] };
  return {
    events: events.map((e) => ({
      id: e.id,
      type: e.type,
      timestamp: e.timestamp,
      details: Object.keys(e).filter((k) => k.endsWith("EventDetails")).length,
    })),
  };
};

const json = (result: CliResult, what: string): unknown => {
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new Error(`${what} printed no JSON (exit ${result.code}): ${result.stdout}${result.stderr}`);
  }
};

/** Summary keys present only for some runs (the failed entity, the extract when Extract ran in the execution). */
// `faults`: only a local run can have injected ones (--inject-fault refuses --stage).
const SUMMARY_OPTIONAL = new Set(["failedEntity", "extract", "faults"]);

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping tunelake --stage over the wire.`);

describe.skipIf(!moto.available)("tunelake --stage over moto_server, compared with the same commands locally", () => {
  let fixture: MotoStage;
  let server: MotoServer;
  let outputs: StageOutputs;
  let cwd: string;
  let home: string;
  const { newHome, cleanupAll } = tempHomes();
  const onStage = (args: string[]) => tunelake([...args, "--stage", STAGE, "--json"], fixture.env(), cwd);
  const locally = (args: string[]) => tunelake(["--home", home, ...args, "--json"]);

  beforeAll(async () => {
    // The stage exists only in CloudFormation: the CLI runs in a checkout without .sst/outputs.json.
    fixture = await openMotoStage(STAGE);
    ({ server, outputs, root: cwd } = fixture);
    home = await newHome("stage-shapes");
  }, 60_000);
  afterAll(async () => {
    await fixture?.close();
    await cleanupAll();
  });

  it("runs, lists, shows, redrives and queries a stage found through CloudFormation, with the local --json shapes", async () => {
    // Act: a run that fails (the stand-in fails in Transform; locally an injected crawler failure), then the rest.
    const stageRun = await onStage(["run", "--date", DATE]);
    const localRun = await locally([
      "run",
      "--date",
      DATE,
      "--config",
      REPO_CONFIG,
      "--inject-fault",
      "crawler-failed",
    ]);
    const stageExecutions = await onStage(["executions"]);
    const localExecutions = await locally(["executions"]);
    const stageHistory = await onStage(["history", "latest"]);
    const localHistory = await locally(["history", "latest"]);
    const stageRedrive = await onStage(["redrive", DATE]);
    const localRedrive = await locally(["redrive", DATE, "--config", REPO_CONFIG]);
    // What Athena would answer (moto does not execute SQL): one bigint column, with its header row.
    const column = { Name: "n", Label: "n", Type: "bigint", CatalogName: "hive", SchemaName: "", TableName: "" };
    await server.motoApi("/moto-api/static/athena/query-results", {
      region: MOTO_REGION,
      results: [
        { column_info: [column], rows: [{ Data: [{ VarCharValue: "n" }] }, { Data: [{ VarCharValue: "42" }] }] },
      ],
    });
    const stageQuery = await onStage(["query", SQL]);
    const localQuery = await locally(["query", SQL]);

    // Assess: what happened on the stage.
    expect(stageRun.code, stageRun.stderr).toBe(1);
    expect(json(stageRun, "run --stage")).toMatchObject({
      execution: DATE,
      status: "FAILED",
      date: DATE,
      failedStage: "Transform",
      error: "TransformError",
      cause: "tracks: bad raw line",
      next: `fix what the error says, then resume at Transform with: npx tunelake redrive ${DATE} --stage ${STAGE}`,
    });
    expect(localRun.code, localRun.stderr).toBe(1);
    expect(json(localRun, "run")).toMatchObject({ execution: DATE, status: "FAILED", failedStage: "StartCrawler" });
    expect(stageExecutions.code, stageExecutions.stderr).toBe(0);
    expect(json(stageExecutions, "executions --stage")).toEqual([
      expect.objectContaining({ name: DATE, status: "FAILED", date: DATE, stateMachineArn: outputs.stateMachineArn }),
    ]);
    expect(stageHistory.code, stageHistory.stderr).toBe(0);
    expect((json(stageHistory, "history --stage") as { events: { type: string }[] }).events.at(-1)?.type).toBe(
      "ExecutionFailed",
    );
    expect(stageRedrive.code, stageRedrive.stderr + stageRedrive.stdout).toBe(0);
    expect(json(stageRedrive, "redrive --stage")).toMatchObject({ status: "SUCCEEDED", date: DATE });
    expect(localRedrive.code, localRedrive.stderr + localRedrive.stdout).toBe(0);
    expect(stageQuery.code, stageQuery.stderr).toBe(0);
    expect(json(stageQuery, "query --stage")).toEqual([{ n: 42 }]);
    expect(localQuery.code, localQuery.stderr).toBe(0);

    // Assess: the same shapes in both modes.
    const pairs: [string, unknown, unknown, ReadonlySet<string>?][] = [
      ["run", json(localRun, "run"), json(stageRun, "run --stage"), SUMMARY_OPTIONAL],
      ["executions", json(localExecutions, "executions"), json(stageExecutions, "executions --stage")],
      ["history", eventBase(json(localHistory, "history")), eventBase(json(stageHistory, "history --stage"))],
      ["redrive", json(localRedrive, "redrive"), json(stageRedrive, "redrive --stage"), SUMMARY_OPTIONAL],
      ["query", json(localQuery, "query"), json(stageQuery, "query --stage")],
    ];
    const differences = pairs.flatMap(([command, local, stage, optional]) =>
      shapeDifferences(shapeOf(local), shapeOf(stage), optional).map((d) => `${command} ${d}`),
    );
    expect(differences).toEqual([]);
  }, 180_000);

  it("only starts with --no-wait, and reprocess --stage starts one reprocess execution per date", async () => {
    // Act
    const started = await onStage(["run", "--date", "2026-11-10", "--no-wait"]);
    const reprocess = await onStage(["reprocess", "--from", "2026-11-11", "--to", "2026-11-12"]);
    const executions = await onStage(["executions"]);

    // Assess
    expect(started.code, started.stderr).toBe(0);
    expect(json(started, "run --no-wait")).toMatchObject({ date: "2026-11-10" });
    expect(reprocess.code, reprocess.stderr).toBe(0);
    expect(json(reprocess, "reprocess --stage")).toEqual([
      expect.objectContaining({ name: "2026-11-11", input: expect.objectContaining({ mode: "reprocess" }) }),
      expect.objectContaining({ name: "2026-11-12", input: expect.objectContaining({ mode: "reprocess" }) }),
    ]);
    const names = (json(executions, "executions --stage") as { name: string }[]).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["2026-11-10", "2026-11-11", "2026-11-12"]));
  }, 120_000);
});
