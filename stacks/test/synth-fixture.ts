/** One offline synth per test file (stack tests are read-only over it), and helpers to read its template. */
import { existsSync } from "node:fs";
import path from "node:path";
import { pipelineStackName } from "../../packages/core/src/stage-outputs.ts";
import { TemplateError } from "../errors.ts";
import { type OfflineSynth, synthOffline } from "../offline-app.ts";

export const TEST_STAGE = "test";
export const TEST_ALERT_EMAIL = "alerts@example.com";

export type Json = Record<string, unknown>;
export interface CfnResource {
  Type: string;
  Properties?: Json;
  DependsOn?: string[];
}

/** Synthesizes the test stage (offline) and returns the pipeline stack's template with the synth. */
export async function synthTestStage(
  options: { bundle?: boolean; npmInstall?: boolean } = {},
): Promise<{ synth: OfflineSynth; template: Json; stackName: string }> {
  const synth = await synthOffline({ stage: TEST_STAGE, alertEmail: TEST_ALERT_EMAIL, ...options });
  const stackName = pipelineStackName(TEST_STAGE);
  const template = synth.templates[stackName];
  if (!template) throw new TemplateError({ reason: "noTemplate", stack: stackName, got: Object.keys(synth.templates) });
  return { synth, template, stackName };
}

export function resources(template: Json): Record<string, CfnResource> {
  return template.Resources as Record<string, CfnResource>;
}

/** Resources of one type as [logicalId, resource] pairs. */
export function resourcesOfType(template: Json, type: string): [string, CfnResource][] {
  return Object.entries(resources(template)).filter(([, r]) => r.Type === type);
}

/** The one resource of a type whose properties satisfy `match`. */
export function findResource(template: Json, type: string, match: (props: Json) => boolean): [string, CfnResource] {
  const found = resourcesOfType(template, type).filter(([, r]) => match(r.Properties ?? {}));
  if (found.length !== 1) throw new TemplateError({ reason: "notOneResource", type, found: found.length });
  return found[0]!;
}

/** The Lambda function of the stack whose Description starts with `tunelake: <prefix>`. */
export function lakeFunction(template: Json, prefix: string): [string, CfnResource] {
  return findResource(template, "AWS::Lambda::Function", (p) =>
    String(p.Description ?? "").startsWith(`tunelake: ${prefix}`),
  );
}

/** The staged asset folder of a function's code (cdk.out/asset.<hash>). */
export function functionAssetDir(synth: OfflineSynth, fn: CfnResource): string {
  const code = fn.Properties?.Code as { S3Key?: string } | undefined;
  const hash = code?.S3Key?.replace(/\.zip$/, "");
  const dir = path.join(synth.assembly.directory, `asset.${hash}`);
  if (!hash || !existsSync(dir)) throw new TemplateError({ reason: "noAsset", key: code?.S3Key });
  return dir;
}

/** `{ Ref: id }` / `{ "Fn::GetAtt": [id, attr] }` helpers for exact matches. */
export const ref = (id: string) => ({ Ref: id });
export const getAtt = (id: string, attr: string) => ({ "Fn::GetAtt": [id, attr] });
