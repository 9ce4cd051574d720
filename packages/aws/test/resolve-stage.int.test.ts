import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateStackCommand } from "@aws-sdk/client-cloudformation";
import {
  OPTIONAL_STAGE_OUTPUT_KEYS,
  pipelineStackName,
  STAGE_OUTPUT_KEYS,
  type StageOutputs,
} from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudClients } from "../src/cloud-clients.ts";
import { openStage } from "../src/cloud-stage.ts";
import { StageNotFoundError } from "../src/errors.ts";
import { resolveStage } from "../src/resolve-stage.ts";
import { DUMMY_CREDENTIALS, detectMoto, MOTO_REGION, type MotoServer, startMoto } from "./moto-server.ts";
import { motoStageOutputs } from "./stand-in.ts";

const moto = await detectMoto();

/** The stage's outputs as SST writes them: output key -> value. */
const asSstOutputs = (outputs: StageOutputs): Record<string, string> =>
  Object.fromEntries(
    Object.entries(STAGE_OUTPUT_KEYS).map(([field, key]) => [key, outputs[field as keyof typeof STAGE_OUTPUT_KEYS]]),
  );

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "tunelake-resolve-stage-"));
  await mkdir(path.join(root, ".sst"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("resolveStage from .sst/outputs.json", () => {
  it("reads the stage's stack outputs that sst deploy wrote", async () => {
    // Prepare
    const expected = motoStageOutputs(
      "prod",
      "arn:aws:states:us-east-1:123456789012:stateMachine:prod-tunelake-pipeline",
    );
    await writeFile(
      path.join(root, ".sst", "outputs.json"),
      JSON.stringify({ [pipelineStackName("prod")]: { ...asSstOutputs(expected), SSTMetadata: "{}" } }),
    );

    // Act
    const outputs = await resolveStage("prod", { root });

    // Assess
    expect(outputs).toEqual(expected);
  });

  it("adds the optional Snowflake role output when the stage publishes it, and leaves it out otherwise", async () => {
    // Prepare
    const base = motoStageOutputs("snow", "arn:aws:states:us-east-1:123456789012:stateMachine:snow-tunelake-pipeline");
    const roleArn = "arn:aws:iam::123456789012:role/snow-tunelake-snowflake";
    const dir = await mkdtemp(path.join(root, "optional-"));
    await mkdir(path.join(dir, ".sst"));
    await writeFile(
      path.join(dir, ".sst", "outputs.json"),
      JSON.stringify({
        [pipelineStackName("snow")]: { ...asSstOutputs(base), [OPTIONAL_STAGE_OUTPUT_KEYS.snowflakeRoleArn]: roleArn },
        [pipelineStackName("plain")]: asSstOutputs({ ...base, stage: "plain" }),
      }),
    );

    // Act
    const withRole = await resolveStage("snow", { root: dir });
    const without = await resolveStage("plain", { root: dir });

    // Assess
    expect(withRole).toEqual({ ...base, snowflakeRoleArn: roleArn });
    expect(without).not.toHaveProperty("snowflakeRoleArn");
  });

  it.each([
    ["a stage that is not in the file", "staging", {}],
    ["a stage whose outputs miss a name", "prod", { [pipelineStackName("prod")]: { StateMachineArn: "arn" } }],
  ])("refuses %s, saying how to deploy it", async (_case, stage, file) => {
    const dir = await mkdtemp(path.join(root, "case-"));
    await mkdir(path.join(dir, ".sst"));
    await writeFile(path.join(dir, ".sst", "outputs.json"), JSON.stringify(file));

    const error = await resolveStage(stage, { root: dir }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StageNotFoundError);
    expect((error as Error).message).toContain(`npx sst deploy --stage ${stage}`);
  });
});

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping DescribeStacks lookup over the wire.`);

describe.skipIf(!moto.available)("resolveStage from CloudFormation over moto_server", () => {
  let server: MotoServer;
  beforeAll(async () => {
    server = await startMoto();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("falls back to DescribeStacks when the outputs file does not have the stage", async () => {
    // Prepare: a stack named like SST's, with the pipeline's outputs.
    const clients = createCloudClients({
      region: MOTO_REGION,
      endpoint: server.endpoint,
      credentials: DUMMY_CREDENTIALS,
    });
    const expected = motoStageOutputs(
      "cfn",
      "arn:aws:states:us-east-1:123456789012:stateMachine:cfn-tunelake-pipeline",
    );
    const template = {
      Resources: { Topic: { Type: "AWS::SNS::Topic" } },
      Outputs: Object.fromEntries(
        Object.entries(asSstOutputs(expected)).map(([key, value]) => [key, { Value: value }]),
      ),
    };
    await clients.cloudFormation.send(
      new CreateStackCommand({ StackName: pipelineStackName("cfn"), TemplateBody: JSON.stringify(template) }),
    );

    // Act
    const stage = await openStage({ stage: "cfn", root, clients: { cloudFormation: clients.cloudFormation } });

    // Assess
    expect(stage.outputs).toEqual(expected);
    expect(await stage.clients.sfn.config.region()).toBe(MOTO_REGION);
    stage.close();
    const missing = await resolveStage("absent", { root, cloudFormation: clients.cloudFormation }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(StageNotFoundError);
    for (const client of Object.values(clients)) client.destroy();
  });
});
