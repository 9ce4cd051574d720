/**
 * The console against a stage: its HTTP API on 127.0.0.1 over the AWS adapters, bound to moto_server's Step
 * Functions (with the stand-in state machine the other cloud tests use: moto cannot run the real one's Tasks).
 */
import { CreateStateMachineCommand } from "@aws-sdk/client-sfn";
import { type CloudClients, createCloudClients } from "@tunelake/aws/cloud-clients";
import { createAwsQueryEngine } from "@tunelake/aws/query-engine";
import { createAwsRuns } from "@tunelake/aws/runs";
import type { Runs } from "@tunelake/core/ports";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DUMMY_CREDENTIALS, detectMoto, MOTO_REGION, type MotoServer, startMoto } from "../../aws/test/moto-server.ts";
import { motoStageOutputs, STAND_IN_DEFINITION } from "../../aws/test/stand-in.ts";
import { stageDefinition } from "../src/definition.ts";
import { type RunningConsole, startConsole } from "../src/server.ts";

const moto = await detectMoto();

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping the console on a stage over the wire.`);

describe.skipIf(!moto.available)("the console on a stage over moto_server", () => {
  let server: MotoServer;
  let clients: CloudClients;
  let stage: StageOutputs;
  let runs: Runs;
  let console_: RunningConsole;
  let auth: { authorization: string };

  beforeAll(async () => {
    server = await startMoto();
    clients = createCloudClients({ region: MOTO_REGION, endpoint: server.endpoint, credentials: DUMMY_CREDENTIALS });
    const created = await clients.sfn.send(
      new CreateStateMachineCommand({
        name: "moto-tunelake-pipeline",
        definition: JSON.stringify(STAND_IN_DEFINITION),
        roleArn: "arn:aws:iam::123456789012:role/moto-tunelake-pipeline",
      }),
    );
    stage = motoStageOutputs("moto", created.stateMachineArn as string);
    runs = createAwsRuns({ stage, clients, pollMs: 100 });
    const query = createAwsQueryEngine({ stage, clients });
    console_ = await startConsole({ runs, query, definition: stageDefinition(stage) });
    auth = { authorization: `Bearer ${console_.token}` };
  });
  afterAll(async () => {
    await console_?.close();
    await runs?.close();
    for (const client of Object.values(clients ?? {})) client.destroy();
    await server?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(new URL(path, console_.url), { headers: auth });
    expect(res.status, path).toBe(200);
    return res.json();
  };
  it("starts a run from the page's API, then lists it, its history and its states' outcomes", async () => {
    const started = await fetch(new URL("/api/executions", console_.url), {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "x-tunelake-console": "1" },
      body: JSON.stringify({ date: "2026-11-04" }),
    });
    expect(started.status).toBe(202);
    let listed: { executions: { name: string; status: string; failedStage?: string }[] };
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = (await get("/api/executions")) as typeof listed;
    } while (listed.executions[0]?.status !== "FAILED" && Date.now() < deadline);
    expect(listed.executions[0]).toMatchObject({ name: "2026-11-04", status: "FAILED", failedStage: "Transform" });

    const { execution, states } = (await get("/api/executions/2026-11-04")) as {
      execution: { status: string };
      states: { name: string; outcome: string; error?: string }[];
    };
    expect(execution.status).toBe("FAILED");
    const outcome = new Map(states.map((s) => [s.name, s]));
    expect(outcome.get("Prepare")?.outcome).toBe("succeeded");
    expect(outcome.get("TransformFailed")).toMatchObject({ outcome: "failed", error: "TransformError" });
    expect(outcome.get("Failed")?.outcome).toBe("failed");
    expect(outcome.get("Extract")?.outcome).toBe("not-reached");

    const { events } = (await get("/api/executions/2026-11-04/history")) as { events: { type: string }[] };
    expect(events[0]?.type).toBe("ExecutionStarted");
    expect(events.at(-1)?.type).toBe("ExecutionFailed");
  });

  it("lays out the stage's definition", async () => {
    const graph = (await get("/api/graph")) as { nodes: { id: string; parent?: string }[]; edges: unknown[] };
    expect(graph.nodes.find((n) => n.id === "TransformEntity")?.parent).toBe("Transform");
    expect(graph.edges.length).toBeGreaterThan(graph.nodes.length);
  });

  it("refuses an action without the custom header, and the API without the token", async () => {
    const bare = await fetch(new URL("/api/executions", console_.url));
    expect(bare.status).toBe(403);
    const forged = await fetch(new URL("/api/executions/2026-11-04/redrive", console_.url), {
      method: "POST",
      headers: auth,
    });
    expect(forged.status).toBe(403);
  });
});
