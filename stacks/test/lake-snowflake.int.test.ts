import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../packages/core/src/errors.ts";
import { OPTIONAL_STAGE_OUTPUT_KEYS } from "../../packages/core/src/stage-outputs.ts";
import { CATALOG_TABLES } from "../../packages/core/src/transform/curated-tables.ts";
import { PENDING_EXTERNAL_ID, readSnowflakeSettings, SNOWFLAKE_ENV, snowflakeRoleName } from "../lake-snowflake.ts";
import { type CfnResource, type Json, resourcesOfType, synthTestStage, TEST_STAGE } from "./synth-fixture.ts";

const IAM_USER_ARN = "arn:aws:iam::999988887777:user/abc1-b-self1234";
const EXTERNAL_ID = "MYACCOUNT_SFCRole=2_a1b2c3d4e5f6g7h8i9j0=";
const SQS_ARN = "arn:aws:sqs:us-east-1:999988887777:sf-snowpipe-AIDAEXAMPLE-abcdEFGH";

/** Synthesizes the test stage with the Snowflake variables set (this test file runs in its own process). */
async function synthWith(env: Record<string, string>): Promise<Json> {
  const saved = Object.fromEntries(Object.values(SNOWFLAKE_ENV).map((k) => [k, process.env[k]]));
  for (const key of Object.values(SNOWFLAKE_ENV)) delete process.env[key];
  Object.assign(process.env, env);
  try {
    const { synth, template } = await synthTestStage({ bundle: false });
    synth.cleanup();
    return template;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const snowflakeRoles = (template: Json): [string, CfnResource][] =>
  resourcesOfType(template, "AWS::IAM::Role").filter(
    ([, r]) => r.Properties?.RoleName === snowflakeRoleName(TEST_STAGE),
  );
const allNotifications = (template: Json): Json[] =>
  resourcesOfType(template, "Custom::S3BucketNotifications").flatMap(
    ([, r]) => ((r.Properties?.NotificationConfiguration as Json)?.QueueConfigurations as Json[]) ?? [],
  );
/** The notifications to Snowpipe's queue (the others feed the crawler's own queue, docs/deploy.md). */
const notifications = (template: Json): Json[] => allNotifications(template).filter((c) => c.QueueArn === SQS_ARN);
const recrawlBehavior = (template: Json): unknown =>
  (resourcesOfType(template, "AWS::Glue::Crawler")[0]?.[1].Properties?.RecrawlPolicy as Json | undefined)
    ?.RecrawlBehavior;
const outputs = (template: Json): Json => (template.Outputs ?? {}) as Json;

let off: Json;
let pending: Json;
let complete: Json;
beforeAll(async () => {
  // Prepare: the default (off), the first deploy (role only), and the second deploy (trust + notifications)
  off = await synthWith({});
  pending = await synthWith({ [SNOWFLAKE_ENV.enabled]: "on" });
  complete = await synthWith({
    [SNOWFLAKE_ENV.enabled]: "on",
    [SNOWFLAKE_ENV.iamUserArn]: IAM_USER_ARN,
    [SNOWFLAKE_ENV.externalId]: EXTERNAL_ID,
    [SNOWFLAKE_ENV.sqsQueueArn]: SQS_ARN,
  });
}, 180_000);

describe("Snowflake setting off (the default)", () => {
  it("creates no Snowflake role, no Snowpipe notifications and no role output", () => {
    expect(snowflakeRoles(off)).toEqual([]);
    expect(notifications(off)).toEqual([]);
    // The curated bucket's notifications all go to the crawler's event queue.
    expect(allNotifications(off)).toHaveLength(CATALOG_TABLES.length);
    expect(recrawlBehavior(off)).toBe("CRAWL_EVENT_MODE");
    expect(outputs(off)).not.toHaveProperty(OPTIONAL_STAGE_OUTPUT_KEYS.snowflakeRoleArn);
  });
});

describe("Snowflake setting on", () => {
  it("first deploy: a role only this account may assume with the pending external id, and no notifications yet", () => {
    // Assess
    const [[, role]] = snowflakeRoles(pending) as [[string, CfnResource]];
    const trust = role.Properties?.AssumeRolePolicyDocument as { Statement: Json[] };
    expect(trust.Statement).toEqual([
      {
        Action: "sts:AssumeRole",
        Effect: "Allow",
        Principal: { AWS: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::123456789012:root"]] } },
        Condition: { StringEquals: { "sts:ExternalId": PENDING_EXTERNAL_ID } },
      },
    ]);
    expect(notifications(pending)).toEqual([]);
    expect(recrawlBehavior(pending)).toBe("CRAWL_EVENT_MODE");
    expect(outputs(pending)).toHaveProperty(OPTIONAL_STAGE_OUTPUT_KEYS.snowflakeRoleArn);
  });

  it("second deploy: the role trusts Snowflake's IAM user only with the integration's external id", () => {
    const [[, role]] = snowflakeRoles(complete) as [[string, CfnResource]];
    const trust = role.Properties?.AssumeRolePolicyDocument as { Statement: Json[] };
    expect(trust.Statement).toEqual([
      {
        Action: "sts:AssumeRole",
        Effect: "Allow",
        Principal: { AWS: IAM_USER_ARN },
        Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
      },
    ]);
  });

  it("reads only the curated tables' prefixes: get objects, list under the prefixes, bucket location", () => {
    // Prepare
    const [[, role]] = snowflakeRoles(complete) as [[string, CfnResource]];
    const policies = role.Properties?.Policies as { PolicyDocument: { Statement: Json[] } }[];
    const statements = policies.flatMap((p) => p.PolicyDocument.Statement);
    const text = JSON.stringify(statements);

    // Assess
    expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    expect(statements.map((s) => s.Action)).toEqual([
      ["s3:GetObject", "s3:GetObjectVersion"],
      "s3:ListBucket",
      "s3:GetBucketLocation",
    ]);
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    const objects = statements[0]?.Resource as Json[];
    expect(objects).toHaveLength(CATALOG_TABLES.length);
    for (const table of CATALOG_TABLES) expect(text).toContain(`/${table}/*`);
    expect(statements[1]?.Condition).toEqual({
      StringLike: { "s3:prefix": CATALOG_TABLES.flatMap((t) => [`${t}/`, `${t}/*`]) },
    });
    expect(text).not.toMatch(/s3:(Put|Delete)/);
    expect(text).not.toContain("kms:");
    expect(text).not.toContain("_reports");
  });

  it("notifies the Snowpipe queue of new Parquet files, once per table prefix", () => {
    // Act
    const configs = notifications(complete);

    // Assess
    expect(configs).toHaveLength(CATALOG_TABLES.length);
    const filters = configs.map((c) => {
      expect(c.QueueArn).toBe(SQS_ARN);
      expect(c.Events).toEqual(["s3:ObjectCreated:*"]);
      const rules = ((c.Filter as Json).Key as { FilterRules: { Name: string; Value: string }[] }).FilterRules;
      return Object.fromEntries(rules.map((r) => [r.Name.toLowerCase(), r.Value]));
    });
    expect(filters).toEqual(CATALOG_TABLES.map((t) => ({ prefix: `${t}/`, suffix: ".parquet" })));
    // S3 allows one destination per event type and prefix: Snowpipe's take them, and the crawler crawls everything.
    expect(allNotifications(complete)).toHaveLength(CATALOG_TABLES.length);
    expect(recrawlBehavior(complete)).toBe("CRAWL_EVERYTHING");
    const [[, resource]] = resourcesOfType(complete, "Custom::S3BucketNotifications") as [[string, CfnResource]];
    expect(JSON.stringify(resource.Properties?.BucketName)).toContain("CuratedBucket");
  });
});

describe("reading the setting", () => {
  it.each([
    ["nothing set", {}, undefined],
    [
      "an explicit off, whatever else is set",
      { [SNOWFLAKE_ENV.enabled]: "off", [SNOWFLAKE_ENV.sqsQueueArn]: SQS_ARN },
      undefined,
    ],
    ["the flag alone", { [SNOWFLAKE_ENV.enabled]: "on" }, {}],
    ["the queue alone (implies on)", { [SNOWFLAKE_ENV.sqsQueueArn]: SQS_ARN }, { sqsQueueArn: SQS_ARN }],
    [
      "user and external id",
      { [SNOWFLAKE_ENV.iamUserArn]: IAM_USER_ARN, [SNOWFLAKE_ENV.externalId]: EXTERNAL_ID },
      { trust: { iamUserArn: IAM_USER_ARN, externalId: EXTERNAL_ID } },
    ],
  ])("%s", (_case, env, expected) => {
    expect(readSnowflakeSettings(env)).toEqual(expected);
  });

  it.each([
    ["a user without external id", { [SNOWFLAKE_ENV.iamUserArn]: IAM_USER_ARN }, SNOWFLAKE_ENV.externalId],
    ["a malformed user ARN", { [SNOWFLAKE_ENV.iamUserArn]: "snowflake", [SNOWFLAKE_ENV.externalId]: "x1" }, "IAM user"],
    ["a malformed queue ARN", { [SNOWFLAKE_ENV.sqsQueueArn]: "arn:aws:sns:us-east-1:1:t" }, "SQS queue ARN"],
    ["an unknown flag value", { [SNOWFLAKE_ENV.enabled]: "yes" }, 'use "on"'],
  ])("refuses %s with a ConfigError naming it", (_case, env, text) => {
    const error = (() => {
      try {
        readSnowflakeSettings(env);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(text);
  });

  it("refuses a queue in another region than the stage, before deploying", async () => {
    await expect(
      synthWith({ [SNOWFLAKE_ENV.sqsQueueArn]: "arn:aws:sqs:eu-west-1:999988887777:sf-snowpipe-x" }),
    ).rejects.toThrow(/eu-west-1 but the stage is in us-east-1/);
  });
});
