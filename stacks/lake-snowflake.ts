/**
 * Opt-in Snowpipe feed of the curated zone (docs/snowflake.md): a role Snowflake's storage integration assumes,
 * read-only on the curated tables' prefixes, and S3 event notifications from the curated bucket to the Snowpipe SQS
 * queue, one per table prefix, Parquet files only. Off unless the settings below are given (e.g. in `.env.<stage>`).
 */
import { Token } from "aws-cdk-lib";
import { AccountRootPrincipal, ArnPrincipal, PolicyDocument, PolicyStatement, Role } from "aws-cdk-lib/aws-iam";
import { type Bucket, EventType } from "aws-cdk-lib/aws-s3";
import { SqsDestination } from "aws-cdk-lib/aws-s3-notifications";
import { Queue } from "aws-cdk-lib/aws-sqs";
import type { Stack } from "sst/constructs";
import { ConfigError } from "../packages/core/src/errors.ts";
import { OPTIONAL_STAGE_OUTPUT_KEYS } from "../packages/core/src/stage-outputs.ts";
import { CATALOG_TABLES } from "../packages/core/src/transform/curated-tables.ts";

/** The environment variables of the setting. */
export const SNOWFLAKE_ENV = {
  /** `on` creates the role (first deploy, before Snowflake has said who it is). */
  enabled: "TUNELAKE_SNOWFLAKE",
  /** DESC INTEGRATION's STORAGE_AWS_IAM_USER_ARN. */
  iamUserArn: "TUNELAKE_SNOWFLAKE_IAM_USER_ARN",
  /** DESC INTEGRATION's STORAGE_AWS_EXTERNAL_ID. */
  externalId: "TUNELAKE_SNOWFLAKE_EXTERNAL_ID",
  /** SHOW PIPES' notification_channel: the SQS queue Snowpipe listens on. */
  sqsQueueArn: "TUNELAKE_SNOWFLAKE_SQS_ARN",
} as const;

/**
 * Until Snowflake's IAM user is known the role trusts only this account, with this external id, as Snowflake's own
 * setup guide does: nobody outside the account can assume it.
 */
export const PENDING_EXTERNAL_ID = "tunelake-snowflake-pending";

export interface SnowflakeSettings {
  /** Snowflake's IAM user and the integration's external id; absent on the first deploy. */
  trust?: { iamUserArn: string; externalId: string };
  /** The Snowpipe queue; absent until the pipes exist. */
  sqsQueueArn?: string;
}

const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/[\w+=,.@/-]+$/;
const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Reads the setting once; `undefined` when it is off. Bad values are a ConfigError naming each variable. */
export function readSnowflakeSettings(env: NodeJS.ProcessEnv = process.env): SnowflakeSettings | undefined {
  const flag = env[SNOWFLAKE_ENV.enabled]?.trim().toLowerCase();
  const iamUserArn = env[SNOWFLAKE_ENV.iamUserArn]?.trim() || undefined;
  const externalId = env[SNOWFLAKE_ENV.externalId]?.trim() || undefined;
  const sqsQueueArn = env[SNOWFLAKE_ENV.sqsQueueArn]?.trim() || undefined;
  if (flag !== undefined && !["", "on", "true", "1", "off", "false", "0"].includes(flag)) {
    throw new ConfigError({ reason: "snowflakeFlag", variable: SNOWFLAKE_ENV.enabled, value: flag });
  }
  // An explicit off wins, so a stage can pause the feed without deleting the other values from its .env file.
  if (flag === "off" || flag === "false" || flag === "0") return undefined;
  const on = flag === "on" || flag === "true" || flag === "1";
  if (!on && !iamUserArn && !externalId && !sqsQueueArn) return undefined;

  const issues: string[] = [];
  if (Boolean(iamUserArn) !== Boolean(externalId))
    issues.push(`${SNOWFLAKE_ENV.iamUserArn} and ${SNOWFLAKE_ENV.externalId} go together (both from DESC INTEGRATION)`);
  if (iamUserArn && !IAM_USER_ARN.test(iamUserArn))
    issues.push(`${SNOWFLAKE_ENV.iamUserArn}="${iamUserArn}" is not an IAM user ARN (arn:aws:iam::<account>:user/...)`);
  if (externalId && !EXTERNAL_ID.test(externalId))
    issues.push(`${SNOWFLAKE_ENV.externalId} has characters an STS external id cannot have`);
  if (sqsQueueArn && !SQS_ARN.test(sqsQueueArn))
    issues.push(`${SNOWFLAKE_ENV.sqsQueueArn}="${sqsQueueArn}" is not an SQS queue ARN (arn:aws:sqs:<region>:...)`);
  if (issues.length > 0) throw new ConfigError({ reason: "snowflakeSettings", issues });
  return {
    ...(iamUserArn && externalId ? { trust: { iamUserArn, externalId } } : {}),
    ...(sqsQueueArn ? { sqsQueueArn } : {}),
  };
}

/** The role's name is fixed per stage, so its ARN survives redeploys and the integration keeps pointing at it. */
export const snowflakeRoleName = (stage: string): string => `${stage}-tunelake-snowflake`;

export interface LakeSnowflake {
  role: Role;
}

/** Creates the role, its read-only policy, the notifications (once the queue is known) and the role ARN output. */
export function createLakeSnowflake(
  stack: Stack,
  props: { stage: string; curated: Bucket; settings: SnowflakeSettings },
): LakeSnowflake {
  const { curated, settings } = props;
  const principal = settings.trust ? new ArnPrincipal(settings.trust.iamUserArn) : new AccountRootPrincipal();
  const externalId = settings.trust?.externalId ?? PENDING_EXTERNAL_ID;
  const prefixes = CATALOG_TABLES.map((table) => `${table}/`);

  const role = new Role(stack, "SnowflakeRole", {
    roleName: snowflakeRoleName(props.stage),
    description: "tunelake: Snowflake storage integration, read-only on the curated tables (docs/snowflake.md)",
    assumedBy: principal.withConditions({ StringEquals: { "sts:ExternalId": externalId } }),
    inlinePolicies: {
      CuratedTablesReadOnly: new PolicyDocument({
        statements: [
          new PolicyStatement({
            actions: ["s3:GetObject", "s3:GetObjectVersion"],
            resources: prefixes.map((prefix) => curated.arnForObjects(`${prefix}*`)),
          }),
          new PolicyStatement({
            actions: ["s3:ListBucket"],
            resources: [curated.bucketArn],
            conditions: { StringLike: { "s3:prefix": prefixes.flatMap((prefix) => [prefix, `${prefix}*`]) } },
          }),
          new PolicyStatement({ actions: ["s3:GetBucketLocation"], resources: [curated.bucketArn] }),
        ],
      }),
    },
  });
  // The curated bucket is SSE-S3 (stacks/lake-buckets.ts): reading it needs no KMS permission.

  if (settings.sqsQueueArn) {
    const queueRegion = settings.sqsQueueArn.split(":")[3];
    if (!Token.isUnresolved(stack.region) && queueRegion !== stack.region) {
      throw new ConfigError({
        reason: "snowflakeQueueRegion",
        variable: SNOWFLAKE_ENV.sqsQueueArn,
        queueRegion: String(queueRegion),
        stageRegion: stack.region,
      });
    }
    // Snowflake owns the queue and its policy (it accepts S3 events); CDK only points the bucket at it.
    const queue = Queue.fromQueueArn(stack, "SnowpipeQueue", settings.sqsQueueArn);
    for (const prefix of prefixes) {
      curated.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), {
        prefix,
        suffix: ".parquet",
      });
    }
  }

  // Read by `tunelake snowflake ddl --stage` (packages/core/src/stage-outputs.ts).
  stack.addOutputs({ [OPTIONAL_STAGE_OUTPUT_KEYS.snowflakeRoleArn]: role.roleArn });
  return { role };
}
