import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDefinition } from "../../packages/core/src/workflow/definition.ts";
import { REPO_ROOT } from "../offline-app.ts";

const run = promisify(execFile);

/** `cfn-lint` on PATH, or why not. */
async function findCfnLint(): Promise<{ found: true; version: string } | { found: false; reason: string }> {
  try {
    const { stdout } = await run("cfn-lint", ["--version"]);
    return { found: true, version: stdout.trim() };
  } catch (error) {
    return { found: false, reason: (error as Error).message };
  }
}

/** An environment with no AWS credentials or config: the synth must not need any. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("AWS_")) env[key] = value;
  return {
    ...env,
    AWS_CONFIG_FILE: path.join(os.tmpdir(), "tunelake-no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), "tunelake-no-aws-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    npm_config_offline: "true",
    // So the linted template includes the optional email subscription too.
    TUNELAKE_ALERT_EMAIL: "alerts@example.com",
  };
}

let outDir: string;
let stdout: string;
beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "tunelake-synth-cli-"));
  ({ stdout } = await run(
    process.execPath,
    [path.join(REPO_ROOT, "node_modules/tsx/dist/cli.mjs"), "stacks/synth.ts", "--out", outDir, "--stage", "ci"],
    { cwd: REPO_ROOT, env: offlineEnv(), maxBuffer: 16 * 1024 * 1024 },
  ));
});
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("npm run synth -- --out DIR", () => {
  it("writes the stage's template and the state machine definition without AWS credentials", () => {
    const files = readdirSync(outDir).sort();

    expect(files).toEqual(["ci-tunelake-Pipeline.template.json", "statemachine.asl.json"]);
    expect(stdout).toContain("statemachine.asl.json");
    const template = JSON.parse(readFileSync(path.join(outDir, files[0]!), "utf8")) as {
      Resources: Record<string, { Type: string; Properties?: { DefinitionString?: string } }>;
    };
    // The written definition is the one the template deploys (placeholders and all) and has the contract's shape.
    const asl = JSON.parse(readFileSync(path.join(outDir, "statemachine.asl.json"), "utf8")) as ReturnType<
      typeof buildDefinition
    >;
    const machine = Object.values(template.Resources).find((r) => r.Type === "AWS::StepFunctions::StateMachine");
    expect(JSON.parse(machine?.Properties?.DefinitionString ?? "null")).toEqual(asl);
    expect(asl.StartAt).toBe(buildDefinition().StartAt);
    expect(Object.keys(asl.States)).toEqual(expect.arrayContaining(Object.keys(buildDefinition().States)));
    expect(Object.values(template.Resources).map((r) => r.Type)).toEqual(
      expect.arrayContaining([
        "AWS::StepFunctions::StateMachine",
        "AWS::Glue::Crawler",
        "AWS::Athena::WorkGroup",
        "AWS::SNS::Subscription",
      ]),
    );
  });

  it("passes cfn-lint with no errors (warnings allowed), or says clearly that cfn-lint is missing", async () => {
    // Prepare
    const cfnLint = await findCfnLint();
    const templates = readdirSync(outDir)
      .filter((file) => file.endsWith(".template.json"))
      .map((file) => path.join(outDir, file));
    expect(templates.length).toBeGreaterThan(0);
    if (!cfnLint.found) {
      console.warn(
        `cfn-lint is not installed (${cfnLint.reason}): checking the templates' shape only, not linting them. Install it with \`pip install cfn-lint\`.`,
      );
      // Still a real check: every template is CloudFormation JSON with typed resources.
      for (const file of templates) {
        const template = JSON.parse(readFileSync(file, "utf8")) as { Resources: Record<string, { Type: string }> };
        for (const resource of Object.values(template.Resources)) expect(resource.Type).toMatch(/^(AWS|Custom)::/);
      }
      return;
    }

    // Act: exit status is a bit set: 2 errors, 4 warnings, 8 informational; anything else is a crash.
    const result = await run("cfn-lint", ["--format", "parseable", ...templates]).then(
      () => ({ code: 0, stdout: "" }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );

    // Assess
    const errors = result.stdout.split("\n").filter((line) => /:E\d{4}:/.test(line));
    expect(errors, `${cfnLint.version}\n${result.stdout}`).toEqual([]);
    expect(result.code & ~(4 | 8)).toBe(0);
  });
});
