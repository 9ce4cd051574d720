/**
 * One deployed-stage fixture over moto_server for every cloud-mode test: moto started, the stand-in state machine,
 * the stage's Athena workgroup, and a stack `pipelineStackName(stage)` whose Outputs name them, so a stage resolves
 * through moto's CloudFormation exactly as `--stage` does from a checkout without `.sst/outputs.json` (`root`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateWorkGroupCommand } from "@aws-sdk/client-athena";
import { CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { CreateStateMachineCommand } from "@aws-sdk/client-sfn";
import { pipelineStackName, STAGE_OUTPUT_KEYS, type StageOutputs } from "@tunelake/core/stage-outputs";
import { type CloudClients, createCloudClients } from "../src/cloud-clients.ts";
import { DUMMY_CREDENTIALS, MOTO_ACCOUNT, MOTO_REGION, type MotoServer, startMoto } from "./moto-server.ts";
import { motoStageOutputs, STAND_IN_DEFINITION } from "./stand-in.ts";

export interface MotoStage {
  server: MotoServer;
  clients: CloudClients;
  stage: string;
  outputs: StageOutputs;
  /** A checkout with no `.sst/outputs.json`: run the CLI here and the stage is found through CloudFormation. */
  root: string;
  /** The environment the AWS SDK reads to reach this moto_server (for the CLI's `--stage`). */
  env: () => NodeJS.ProcessEnv;
  close: () => Promise<void>;
}

export async function openMotoStage(stage: string): Promise<MotoStage> {
  const server = await startMoto();
  const clients = createCloudClients({
    region: MOTO_REGION,
    endpoint: server.endpoint,
    credentials: DUMMY_CREDENTIALS,
  });
  const close = async () => {
    for (const client of Object.values(clients)) client.destroy();
    await server.stop();
  };
  try {
    const created = await clients.sfn.send(
      new CreateStateMachineCommand({
        name: `${stage}-tunelake-pipeline`,
        definition: JSON.stringify(STAND_IN_DEFINITION),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${stage}-tunelake-pipeline`,
      }),
    );
    const outputs = motoStageOutputs(stage, created.stateMachineArn ?? "");
    await clients.athena.send(
      new CreateWorkGroupCommand({
        Name: outputs.workGroup,
        Configuration: { ResultConfiguration: { OutputLocation: `s3://${outputs.athenaResultsBucket}/results/` } },
      }),
    );
    // moto's CloudFormation needs one resource beside the Outputs; a wait condition handle creates nothing else.
    const template = {
      Resources: { Handle: { Type: "AWS::CloudFormation::WaitConditionHandle" } },
      Outputs: Object.fromEntries(
        Object.entries(STAGE_OUTPUT_KEYS).map(([field, key]) => [
          key,
          { Value: outputs[field as keyof typeof STAGE_OUTPUT_KEYS] },
        ]),
      ),
    };
    await clients.cloudFormation.send(
      new CreateStackCommand({ StackName: pipelineStackName(stage), TemplateBody: JSON.stringify(template) }),
    );
    const root = await mkdtemp(join(tmpdir(), "tunelake-checkout-"));
    return {
      server,
      clients,
      stage,
      outputs,
      root,
      env: () => ({
        AWS_ENDPOINT_URL: server.endpoint,
        AWS_REGION: MOTO_REGION,
        AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: "true",
      }),
      close: async () => {
        await close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}
