import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pipelineStackName, STAGE_OUTPUT_KEYS } from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudClients } from "../src/cloud-clients.ts";
import { checkStage } from "../src/stage-health.ts";

/** An SDK client faked at its seam, `send`: answers by command name, or throws the error given for it. */
const fakeClient = (errors: Record<string, Error> = {}) => ({
  send: async (command: object) => {
    const name = command.constructor.name;
    const error = errors[name];
    if (error) throw error;
    return {};
  },
  destroy: () => {},
  config: { region: async () => "eu-west-1" },
});

const accessDenied = (action: string) =>
  Object.assign(new Error(`User: arn:aws:iam::123456789012:user/dev is not authorized to perform: ${action}`), {
    name: "AccessDeniedException",
    $metadata: { httpStatusCode: 400 },
  });

let root: string;
beforeAll(async () => {
  // The stage's outputs as `sst deploy` writes them to .sst/outputs.json.
  root = await mkdtemp(path.join(os.tmpdir(), "tunelake-stage-health-"));
  await mkdir(path.join(root, ".sst"));
  const outputs = Object.fromEntries(Object.values(STAGE_OUTPUT_KEYS).map((key) => [key, `value-of-${key}`]));
  outputs.Region = "eu-west-1";
  await writeFile(path.join(root, ".sst", "outputs.json"), JSON.stringify({ [pipelineStackName("prod")]: outputs }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const clients = (errors: Record<string, Error> = {}) =>
  ({
    sfn: fakeClient(errors),
    glue: fakeClient(errors),
    athena: fakeClient(errors),
    cloudFormation: fakeClient(errors),
  }) as unknown as CloudClients;

describe("tunelake doctor --stage", () => {
  it("finds the outputs and every read call allowed", async () => {
    // Act
    const checks = await checkStage("prod", clients(), { root });

    // Assess
    expect(checks.every((c) => c.ok)).toBe(true);
    expect(checks.map((c) => c.name)).toEqual([
      "stage outputs",
      "states:DescribeStateMachine",
      "states:ListExecutions",
      "glue:GetCrawler",
      "athena:GetWorkGroup",
    ]);
  });

  it("names the permission the caller lacks, one line", async () => {
    // Act
    const checks = await checkStage("prod", clients({ GetCrawlerCommand: accessDenied("glue:GetCrawler") }), { root });

    // Assess
    const failed = checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.name).toBe("glue:GetCrawler");
    expect(failed[0]?.detail).toMatch(/AWS denied glue:GetCrawler on stage prod .*Grant glue:GetCrawler/);
    expect(failed[0]?.detail).not.toContain("\n");
  });

  it("says when the stage's outputs cannot be found", async () => {
    // Act
    const missing = Object.assign(new Error("Stack with id staging-tunelake-Pipeline does not exist"), {
      name: "ValidationError",
    });
    const checks = await checkStage("staging", clients({ DescribeStacksCommand: missing }), { root });

    // Assess
    expect(checks).toEqual([
      {
        name: "stage outputs",
        ok: false,
        detail: expect.stringMatching(/No CloudFormation stack staging-tunelake-Pipeline/),
      },
    ]);
  });
});
