/**
 * Finds a deployed stage's resource names: first in `.sst/outputs.json` (SST writes it after `sst deploy`, for the
 * stage deployed last from this checkout), else from CloudFormation's DescribeStacks for `<stage>-tunelake-Pipeline`.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from "@aws-sdk/client-cloudformation";
import {
  OPTIONAL_STAGE_OUTPUT_KEYS,
  pipelineStackName,
  STAGE_OUTPUT_KEYS,
  type StageOutputs,
} from "@tunelake/core/stage-outputs";
import { describeAwsFailure } from "./aws-failure.ts";
import { StageNotFoundError, StageUnreachableError } from "./errors.ts";

export interface ResolveStageOptions {
  /** Project root holding `.sst/outputs.json` (default: the current directory). */
  root?: string;
  /** An explicit outputs file (SST's `--outputs` or a copy). */
  outputsFile?: string;
  /** Used when the outputs file does not have the stage; none: the file is the only source. */
  cloudFormation?: CloudFormationClient;
}

function fromOutputMap(stage: string, outputs: Record<string, string | undefined>, source: string): StageOutputs {
  const missing = Object.values(STAGE_OUTPUT_KEYS).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new StageNotFoundError({ reason: "outputsIncomplete", stage, source, missing });
  }
  const resolved = Object.fromEntries(
    Object.entries(STAGE_OUTPUT_KEYS).map(([field, key]) => [field, outputs[key] as string]),
  ) as Omit<StageOutputs, "stage">;
  for (const [field, key] of Object.entries(OPTIONAL_STAGE_OUTPUT_KEYS)) {
    const value = outputs[key];
    if (value) resolved[field as keyof typeof OPTIONAL_STAGE_OUTPUT_KEYS] = value;
  }
  return { ...resolved, stage };
}

async function readOutputsFile(file: string): Promise<Record<string, Record<string, string>> | undefined> {
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Record<string, Record<string, string>>;
  } catch (error) {
    throw new StageNotFoundError(
      { reason: "outputsNotJson", file, problem: (error as Error).message },
      { cause: error },
    );
  }
}

/** The names the CLI needs for a stage, from SST's outputs file or CloudFormation. */
export async function resolveStage(stage: string, options: ResolveStageOptions = {}): Promise<StageOutputs> {
  const stackName = pipelineStackName(stage);
  const file = options.outputsFile ?? path.join(options.root ?? process.cwd(), ".sst", "outputs.json");
  const fromFile = (await readOutputsFile(file))?.[stackName];
  if (fromFile) return fromOutputMap(stage, fromFile, file);
  if (!options.cloudFormation) {
    throw new StageNotFoundError({ reason: "notInOutputs", stage, file });
  }
  let stacks: DescribeStacksCommandOutput;
  try {
    stacks = await options.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    const region = await Promise.resolve(options.cloudFormation.config.region()).catch(() => undefined);
    const failure = describeAwsFailure(error, {
      region,
      endpoint: process.env.AWS_ENDPOINT_URL,
      what: `looking up stage "${stage}" (CloudFormation stack ${stackName})`,
    });
    if (failure.kind === "other" && /does not exist/i.test((error as Error).message ?? "")) {
      throw new StageNotFoundError(
        { reason: "noStack", stage, stackName, region, problem: (error as Error).message },
        { cause: error },
      );
    }
    throw new StageUnreachableError({ failure }, { cause: error });
  }
  const outputs = stacks.Stacks?.[0]?.Outputs;
  if (!outputs) throw new StageNotFoundError({ reason: "noOutputs", stage, stackName });
  return fromOutputMap(
    stage,
    Object.fromEntries(outputs.map((o) => [o.OutputKey ?? "", o.OutputValue])),
    `CloudFormation stack ${stackName}`,
  );
}
