/**
 * The stack outputs the deployed stage publishes and the CLI's cloud mode reads (the contract between `stacks/` and
 * `packages/aws`). Keys are CloudFormation output keys: alphanumeric only.
 */
export const STAGE_OUTPUT_KEYS = {
  stateMachineArn: "StateMachineArn",
  rawBucket: "RawBucketName",
  curatedBucket: "CuratedBucketName",
  athenaResultsBucket: "AthenaResultsBucketName",
  glueDatabase: "GlueDatabaseName",
  crawler: "CrawlerName",
  workGroup: "AthenaWorkGroupName",
  failureTopicArn: "FailureTopicArn",
  region: "Region",
  extractFunction: "ExtractFunctionName",
  transformFunction: "TransformFunctionName",
} as const;

/** Outputs only some stages publish (opt-in stack settings); a stage without them is still complete. */
export const OPTIONAL_STAGE_OUTPUT_KEYS = {
  /** The role Snowflake's storage integration assumes (docs/snowflake.md). */
  snowflakeRoleArn: "SnowflakeRoleArn",
} as const;

/** What the CLI needs to operate one deployed stage. */
export type StageOutputs = { -readonly [K in keyof typeof STAGE_OUTPUT_KEYS]: string } & {
  -readonly [K in keyof typeof OPTIONAL_STAGE_OUTPUT_KEYS]?: string;
} & { stage: string };

/** The stack id inside the SST app; the CloudFormation stack name is `<stage>-tunelake-Pipeline`. */
export const PIPELINE_STACK_ID = "Pipeline";
/** The SST app name (sst.config.ts). */
export const APP_NAME = "tunelake";

/** CloudFormation stack name of the pipeline stack of a stage (SST v2 prefixes `<stage>-<app>-`). */
export const pipelineStackName = (stage: string): string => `${stage}-${APP_NAME}-${PIPELINE_STACK_ID}`;
