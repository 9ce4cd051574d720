/**
 * The state machine, deployed from THE definition in packages/core/src/workflow (placeholders filled by
 * `definitionSubstitutions`), with its least-privilege role, logging and tracing, and the daily schedule.
 */
import { Aws, RemovalPolicy, type Stack } from "aws-cdk-lib";
import { Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { SfnStateMachine } from "aws-cdk-lib/aws-events-targets";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import type { Topic } from "aws-cdk-lib/aws-sns";
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import type { Function as SstFunction } from "sst/constructs";
import { type DefinitionSubstitutions, definitionJson } from "../packages/core/src/workflow/definition.ts";

/** The daily run: 06:00 UTC, after Spotify's editorial playlists have rolled over for most of Europe. */
export const DAILY_SCHEDULE = { minute: "0", hour: "6" } as const;
/** What the schedule sends: Prepare defaults the date to the execution's start date and the mode to extract. */
export const SCHEDULE_INPUT = {} as const;

export interface LakeStateMachineProps {
  stage: string;
  /** EventBridge schedule expression of the daily run (stacks/settings.ts); default {@link DAILY_SCHEDULE}. */
  schedule?: string;
  extract: SstFunction;
  transform: SstFunction;
  crawlerName: string;
  crawlerArn: string;
  databaseName: string;
  catalogReadArns: string[];
  workGroupName: string;
  workGroupArn: string;
  athenaResults: Bucket;
  curated: Bucket;
  topic: Topic;
  topicKey: Key;
  /** Validate's freshness tolerance in days (the config's `validate.freshnessToleranceDays`; default 45). */
  freshnessToleranceDays?: number;
}

/** Creates the state machine (Standard, logs ALL to CloudWatch, X-Ray) and the daily EventBridge schedule. */
export function createLakeStateMachine(stack: Stack, props: LakeStateMachineProps): { stateMachine: StateMachine } {
  const substitutions: DefinitionSubstitutions = {
    ExtractFunctionArn: props.extract.functionArn,
    TransformFunctionArn: props.transform.functionArn,
    CrawlerName: props.crawlerName,
    AthenaWorkGroup: props.workGroupName,
    GlueDatabase: props.databaseName,
    FailureTopicArn: props.topic.topicArn,
  };

  // The vended-logs prefix keeps CloudWatch's resource policy small however many state machines log.
  const logGroup = new LogGroup(stack, "StateMachineLogs", {
    logGroupName: `/aws/vendedlogs/states/${props.stage}-tunelake-pipeline`,
    retention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.DESTROY,
  });

  const stateMachine = new StateMachine(stack, "Pipeline", {
    stateMachineName: `${props.stage}-tunelake-pipeline`,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(definitionJson({ freshnessToleranceDays: props.freshnessToleranceDays })),
    definitionSubstitutions: substitutions,
    tracingEnabled: true,
    logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
  });

  // The definition is JSON, so CDK cannot derive the task permissions: each is granted here, scoped.
  props.extract.grantInvoke(stateMachine);
  props.transform.grantInvoke(stateMachine);
  const statements = [
    new PolicyStatement({
      actions: ["glue:StartCrawler", "glue:GetCrawler"],
      resources: [props.crawlerArn],
    }),
    new PolicyStatement({
      actions: [
        "athena:StartQueryExecution",
        "athena:StopQueryExecution",
        "athena:GetQueryExecution",
        "athena:GetQueryResults",
      ],
      resources: [props.workGroupArn],
    }),
    new PolicyStatement({
      actions: ["athena:GetDataCatalog"],
      resources: [`arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:datacatalog/AwsDataCatalog`],
    }),
    // Athena reads the catalog and the data with the caller's permissions.
    new PolicyStatement({
      actions: [
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:BatchGetPartition",
      ],
      resources: props.catalogReadArns,
    }),
    new PolicyStatement({
      actions: ["s3:GetObject"],
      resources: [props.curated.arnForObjects("*")],
    }),
    new PolicyStatement({
      actions: ["s3:ListBucket", "s3:GetBucketLocation"],
      resources: [props.curated.bucketArn],
    }),
    new PolicyStatement({
      actions: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      resources: [props.athenaResults.bucketArn],
    }),
    new PolicyStatement({
      actions: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      resources: [props.athenaResults.arnForObjects("results/*")],
    }),
    new PolicyStatement({
      actions: ["sns:Publish"],
      resources: [props.topic.topicArn],
    }),
    new PolicyStatement({
      actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
      resources: [props.topicKey.keyArn],
    }),
  ];
  for (const statement of statements) stateMachine.addToRolePolicy(statement);

  new Rule(stack, "DailySchedule", {
    description: "tunelake: the daily run (date = the execution's start date, mode extract)",
    schedule: props.schedule ? Schedule.expression(props.schedule) : Schedule.cron({ ...DAILY_SCHEDULE }),
    targets: [new SfnStateMachine(stateMachine, { input: RuleTargetInput.fromObject(SCHEDULE_INPUT) })],
  });

  return { stateMachine };
}
