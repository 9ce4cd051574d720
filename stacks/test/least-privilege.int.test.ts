import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfflineSynth } from "../offline-app.ts";
import { SPOTIFY_SECRETS } from "../pipeline.ts";
import { type CfnResource, getAtt, type Json, lakeFunction, resourcesOfType, synthTestStage } from "./synth-fixture.ts";

interface Statement {
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Actions AWS only grants on `*` (CloudWatch Logs vended delivery for Step Functions, X-Ray segments). */
const STAR_RESOURCE_ACTIONS = new Set([
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
]);
/** The only AWS-managed policy: Lambda's own logging (logs:CreateLogGroup/Stream, PutLogEvents). */
const ALLOWED_MANAGED_POLICY = "service-role/AWSLambdaBasicExecutionRole";

let synth: OfflineSynth;
let json: Json;
beforeAll(async () => {
  // IAM does not depend on the code bundles: skip esbuild and the DuckDB copy.
  ({ synth, template: json } = await synthTestStage({ bundle: false }));
});
afterAll(() => synth?.cleanup());

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Identity-based statements: AWS::IAM::Policy documents and roles' inline policies, by role logical id. */
function identityStatements(): { role: string; statement: Statement }[] {
  const out: { role: string; statement: Statement }[] = [];
  for (const [, policy] of resourcesOfType(json, "AWS::IAM::Policy")) {
    const p = policy.Properties as { PolicyDocument: { Statement: Statement[] }; Roles: { Ref: string }[] };
    for (const role of p.Roles)
      for (const statement of p.PolicyDocument.Statement) out.push({ role: role.Ref, statement });
  }
  for (const [roleId, role] of resourcesOfType(json, "AWS::IAM::Role")) {
    const inline = (role.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
    for (const doc of inline)
      for (const statement of doc.PolicyDocument.Statement) out.push({ role: roleId, statement });
  }
  return out;
}

/** Every policy document in the template: identity policies plus bucket, topic and key policies. */
function allStatements(): Statement[] {
  const resourcePolicies = [
    ...resourcesOfType(json, "AWS::S3::BucketPolicy").map(([, r]) => r.Properties?.PolicyDocument),
    ...resourcesOfType(json, "AWS::SNS::TopicPolicy").map(([, r]) => r.Properties?.PolicyDocument),
    ...resourcesOfType(json, "AWS::KMS::Key").map(([, r]) => r.Properties?.KeyPolicy),
  ] as { Statement: Statement[] }[];
  return [...identityStatements().map((s) => s.statement), ...resourcePolicies.flatMap((doc) => doc.Statement)];
}

const roleOf = (fn: CfnResource): string =>
  (fn.Properties!.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
const statementsOf = (role: string): Statement[] =>
  identityStatements()
    .filter((s) => s.role === role)
    .map((s) => s.statement);
const machineRole = (): string => {
  const [, machine] = resourcesOfType(json, "AWS::StepFunctions::StateMachine")[0]!;
  return (machine.Properties!.RoleArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
};
const actionsOn = (statements: Statement[], predicate: (resource: string) => boolean): string[] =>
  statements
    .filter((s) => asArray(s.Resource as unknown).some((r) => predicate(JSON.stringify(r))))
    .flatMap((s) => asArray(s.Action));
const bucketIdOf = (prefix: string): string =>
  resourcesOfType(json, "AWS::S3::Bucket").find(([id]) => id.startsWith(prefix))![0];

describe("least privilege", () => {
  it("allows no wildcard action in any policy", () => {
    const statements = allStatements();

    expect(statements.length).toBeGreaterThan(20);
    const wildcards = statements
      .filter((s) => s.Effect === "Allow")
      .flatMap((s) => asArray(s.Action))
      .filter((action) => action === "*" || action.endsWith(":*"));
    expect(wildcards).toEqual([]);
  });

  it("uses a * resource only for actions AWS cannot scope", () => {
    const starred = identityStatements()
      .filter(({ statement }) => statement.Effect === "Allow" && asArray(statement.Resource).includes("*"))
      .flatMap(({ statement }) => asArray(statement.Action));

    expect(starred.length).toBeGreaterThan(0);
    expect(starred.filter((action) => !STAR_RESOURCE_ACTIONS.has(action))).toEqual([]);
  });

  it("attaches no AWS-managed policy but Lambda's basic logging", () => {
    const managed = resourcesOfType(json, "AWS::IAM::Role").flatMap(([, role]) =>
      asArray(role.Properties?.ManagedPolicyArns as unknown[]).map((arn) => JSON.stringify(arn)),
    );

    expect(managed.length).toBeGreaterThan(0);
    for (const arn of managed) expect(arn).toContain(ALLOWED_MANAGED_POLICY);
  });

  it("lets extract touch only the raw bucket's entity, manifest and reject folders, and read only its secrets", () => {
    const statements = statementsOf(roleOf(lakeFunction(json, "Spotify")[1]));
    const raw = bucketIdOf("RawBucket");

    const s3Resources = statements
      .filter((s) => asArray(s.Action).some((a) => a.startsWith("s3:")))
      .flatMap((s) => asArray(s.Resource as unknown).map((r) => JSON.stringify(r)));
    expect(s3Resources.length).toBeGreaterThan(0);
    for (const resource of s3Resources) expect(resource).toContain(raw);
    expect(s3Resources.some((r) => r.includes(bucketIdOf("CuratedBucket")))).toBe(false);
    const ssm = statements.filter((s) => asArray(s.Action).includes("ssm:GetParameters"));
    const parameterArns = ssm.flatMap((s) => asArray(s.Resource as unknown)).map((r) => JSON.stringify(r));
    expect(parameterArns.length).toBe(SPOTIFY_SECRETS.length * 2);
    for (const arn of parameterArns)
      expect(SPOTIFY_SECRETS.some((name) => arn.includes(`/Secret/${name}/value`))).toBe(true);
  });

  it("lets transform read raw, write only rejects there, write curated, and read no secret", () => {
    const statements = statementsOf(roleOf(lakeFunction(json, "raw zone")[1]));
    const raw = bucketIdOf("RawBucket");

    const rawWrites = statements
      .filter((s) => asArray(s.Action).includes("s3:PutObject"))
      .flatMap((s) => asArray(s.Resource as unknown).map((r) => JSON.stringify(r)))
      .filter((r) => r.includes(raw));
    expect(rawWrites).toEqual([expect.stringContaining("/_rejects/*")]);
    expect(actionsOn(statements, (r) => r.includes(bucketIdOf("CuratedBucket")))).toEqual(
      expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]),
    );
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith("ssm:"))).toEqual([]);
  });

  it("lets the state machine invoke only its two functions and use only its crawler, workgroup and topic", () => {
    const statements = statementsOf(machineRole());
    const extractId = lakeFunction(json, "Spotify")[0];
    const transformId = lakeFunction(json, "raw zone")[0];
    const topicId = resourcesOfType(json, "AWS::SNS::Topic")[0]![0];

    const invokeTargets = statements
      .filter((s) => asArray(s.Action).includes("lambda:InvokeFunction"))
      .flatMap((s) => asArray(s.Resource as unknown).map((r) => JSON.stringify(r)));
    expect(invokeTargets).toHaveLength(4);
    for (const target of invokeTargets) expect(target.includes(extractId) || target.includes(transformId)).toBe(true);
    const scoped = (prefix: string, fragment: string) => {
      const resources = statements
        .filter((s) => asArray(s.Action).some((a) => a.startsWith(prefix)))
        .flatMap((s) => asArray(s.Resource as unknown).map((r) => JSON.stringify(r)));
      expect(resources.length, prefix).toBeGreaterThan(0);
      return resources.every((r) => fragment.split("|").some((f) => r.includes(f)));
    };
    expect(scoped("glue:StartCrawler", "crawler/test-tunelake-curated")).toBe(true);
    expect(scoped("athena:StartQueryExecution", "workgroup/test-tunelake")).toBe(true);
    expect(scoped("glue:GetTable", ":catalog|database/tunelake_test|table/tunelake_test/*")).toBe(true);
    expect(scoped("sns:", topicId)).toBe(true);
    expect(scoped("s3:", `${bucketIdOf("AthenaResultsBucket")}|${bucketIdOf("CuratedBucket")}`)).toBe(true);
    expect(scoped("kms:", resourcesOfType(json, "AWS::KMS::Key")[0]![0])).toBe(true);
    const s3Writes = actionsOn(statements, (r) => r.includes(bucketIdOf("CuratedBucket")));
    expect(s3Writes.filter((a) => a.startsWith("s3:Put") || a.startsWith("s3:Delete"))).toEqual([]);
    expect(invokeTargets).toContain(JSON.stringify(getAtt(extractId, "Arn")));
    expect(invokeTargets).toContain(JSON.stringify(getAtt(transformId, "Arn")));
  });
});
