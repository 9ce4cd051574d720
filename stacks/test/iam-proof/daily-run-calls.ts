/**
 * Every AWS call a daily run makes, with the principal that makes it, the IAM action, the exact resource ARN and the
 * condition keys AWS evaluates. Four sources:
 * - the handlers' S3 calls, recorded by SDK middleware on the S3 store's client while extract and transform really
 *   run ({@link recordS3Calls}); the failure notifier's SFN and SNS calls, recorded at its clients' `send` while it
 *   handles a failed execution's event ({@link notifierCallsOf});
 * - the state machine's Task integrations, read from the deployed definition (with the template's substitutions);
 * - what services do on a caller's behalf or on their own: Athena reading the catalog and the curated files and
 *   writing results with the state machine's permissions, the crawler reading curated files and adding partitions,
 *   the schedule starting the execution, EventBridge invoking the failure notifier, CloudWatch alarms publishing to the
 *   topic, Lambda writing logs and traces, SST's config client reading the secrets.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { crawlEventFolder } from "../../../packages/core/src/catalog/crawler-settings.ts";
import { CATALOG_TABLES } from "../../../packages/core/src/transform/curated-tables.ts";
import { buildDefinition, type DefinitionSubstitutions } from "../../../packages/core/src/workflow/definition.ts";
import type { StateDefinition } from "../../../packages/core/src/workflow/state-names.ts";
import { TemplateError } from "../../errors.ts";
import { SPOTIFY_SECRETS } from "../../pipeline.ts";
import { ACCOUNT, type Json, REGION, type TemplatePolicies } from "../../template-policies.ts";

export interface AwsCall {
  /** A role's logical id, or a service principal (`events.amazonaws.com`). */
  principal: string;
  action: string;
  resource: string;
  context: Record<string, string | string[]>;
  /** Who makes it and why, for the failure message. */
  why: string;
}

/** One S3 request as the store's client sent it, and whether S3 answered 404. */
export interface RecordedS3Call {
  command: string;
  input: Record<string, unknown>;
  notFound: boolean;
}

/** Records every command `client` sends (SDK initialize-step middleware), with a 404 answer marked. */
export function recordS3Calls(client: S3Client, calls: RecordedS3Call[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const call: RecordedS3Call = {
        command: String(context.commandName),
        input: { ...(args.input as Record<string, unknown>) },
        notFound: false,
      };
      calls.push(call);
      try {
        return await next(args);
      } catch (error) {
        call.notFound = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
        throw error;
      }
    },
    { step: "initialize", name: "tunelakeIamProofRecorder" },
  );
}

/** Every request goes over TLS: the buckets deny anything else. */
const TLS = { "aws:SecureTransport": "true" };

/** The IAM actions and ARNs of one recorded S3 request (the S3 authorization reference, per API). */
export function s3CallsOf(principal: string, who: string, call: RecordedS3Call): AwsCall[] {
  const bucket = String(call.input.Bucket);
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const object = (key: unknown) => `${bucketArn}/${String(key)}`;
  const why = `${who}: ${call.command} ${String(call.input.Key ?? call.input.Prefix ?? "")}`;
  switch (call.command) {
    case "GetObjectCommand":
    case "HeadObjectCommand": {
      const calls: AwsCall[] = [
        { principal, action: "s3:GetObject", resource: object(call.input.Key), context: { ...TLS }, why },
      ];
      // S3 answers a missing key with 404 only to a caller allowed to list it, else 403 (which the store would
      // take for a denial): the key itself as the listed prefix.
      if (call.notFound) {
        calls.push({
          principal,
          action: "s3:ListBucket",
          resource: bucketArn,
          context: { ...TLS, "s3:prefix": String(call.input.Key) },
          why: `${why} (missing: 404 needs s3:ListBucket)`,
        });
      }
      return calls;
    }
    case "PutObjectCommand":
      return [{ principal, action: "s3:PutObject", resource: object(call.input.Key), context: { ...TLS }, why }];
    case "ListObjectsCommand":
    case "ListObjectsV2Command":
      return [
        {
          principal,
          action: "s3:ListBucket",
          resource: bucketArn,
          context: { ...TLS, "s3:prefix": String(call.input.Prefix ?? "") },
          why,
        },
      ];
    case "DeleteObjectsCommand": {
      const objects = ((call.input.Delete as { Objects?: { Key?: string }[] } | undefined)?.Objects ?? []).map(
        (o) => o.Key,
      );
      return objects.map((key) => ({
        principal,
        action: "s3:DeleteObject",
        resource: object(key),
        context: { ...TLS },
        why: `${who}: DeleteObjects ${key}`,
      }));
    }
    case "DeleteObjectCommand":
      return [{ principal, action: "s3:DeleteObject", resource: object(call.input.Key), context: { ...TLS }, why }];
    default:
      throw new TemplateError({ reason: "unknownCall", call: `S3 ${call.command}`, mapper: "s3CallsOf" });
  }
}

/** One SDK command a handler sent, as its client's `send` received it. */
export interface RecordedSdkCall {
  command: string;
  input: Record<string, unknown>;
}

/** The IAM actions and ARNs of one command the failure notifier sent (SFN DescribeExecution, SNS Publish). */
export function notifierCallsOf(policies: TemplatePolicies, principal: string, call: RecordedSdkCall): AwsCall[] {
  const why = `failure notifier: ${call.command}`;
  switch (call.command) {
    case "DescribeExecutionCommand":
      return [
        {
          principal,
          action: "states:DescribeExecution",
          resource: String(call.input.executionArn),
          context: { ...TLS },
          why,
        },
      ];
    case "PublishCommand": {
      // An encrypted topic: SNS asks KMS for a data key with the publisher's permissions.
      const keyArn = policies.arnOf(policies.idsOf("AWS::KMS::Key")[0]!);
      const viaSns = { ...TLS, "kms:ViaService": `sns.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
      return [
        { principal, action: "sns:Publish", resource: String(call.input.TopicArn), context: { ...TLS }, why },
        { principal, action: "kms:GenerateDataKey", resource: keyArn, context: viaSns, why: `SNS for ${why}` },
        { principal, action: "kms:Decrypt", resource: keyArn, context: viaSns, why: `SNS for ${why}` },
      ];
    }
    case "GetParametersCommand":
      // When the refresh token was set: one parameter, without decryption (so no KMS call).
      return (call.input.Names as string[]).map((name) => ({
        principal,
        action: "ssm:GetParameters",
        resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`,
        context: { ...TLS },
        why,
      }));
    default:
      throw new TemplateError({ reason: "unknownCall", call: call.command, mapper: "notifierCallsOf" });
  }
}

/** The roles of the stack's principals, found from the resources that use them. */
export interface StackPrincipals {
  extract: string;
  transform: string;
  notifier: string;
  stateMachine: string;
  crawler: string;
  schedule: string;
}

const logicalIdOfArn = (policies: TemplatePolicies, arn: unknown): string => {
  const resolved = String(policies.resolve(arn));
  const role = Object.values(policies.roles).find((r) => r.arn === resolved);
  if (!role) throw new TemplateError({ reason: "noRole", principal: resolved });
  return role.logicalId;
};

/** The stack's functions by their description prefix (`tunelake: Spotify`, `tunelake: raw zone`). */
export function lakeFunctionId(policies: TemplatePolicies, prefix: string): string {
  const id = policies
    .idsOf("AWS::Lambda::Function")
    .find((fn) => String(policies.resources[fn]?.Properties?.Description ?? "").startsWith(`tunelake: ${prefix}`));
  if (!id) throw new TemplateError({ reason: "noFunction", prefix });
  return id;
}

export function stackPrincipals(policies: TemplatePolicies): StackPrincipals {
  const prop = (id: string, name: string) => policies.resources[id]?.Properties?.[name];
  const machine = policies.idsOf("AWS::StepFunctions::StateMachine")[0]!;
  const schedule = policies
    .idsOf("AWS::Events::Rule")
    .find((id) => (prop(id, "ScheduleExpression") as string | undefined) !== undefined)!;
  const target = (prop(schedule, "Targets") as { RoleArn: unknown }[])[0]!;
  return {
    extract: logicalIdOfArn(policies, prop(lakeFunctionId(policies, "Spotify"), "Role")),
    transform: logicalIdOfArn(policies, prop(lakeFunctionId(policies, "raw zone"), "Role")),
    notifier: logicalIdOfArn(policies, prop(lakeFunctionId(policies, "failure alerts"), "Role")),
    stateMachine: logicalIdOfArn(policies, prop(machine, "RoleArn")),
    crawler: logicalIdOfArn(policies, prop(policies.idsOf("AWS::Glue::Crawler")[0]!, "Role")),
    schedule: logicalIdOfArn(policies, target.RoleArn),
  };
}

/** Visits every state, including those of Map item processors. */
function allStates(states: Record<string, StateDefinition>): StateDefinition[] {
  return Object.values(states).flatMap((state) => {
    const inner = (state.ItemProcessor as { States?: Record<string, StateDefinition> } | undefined)?.States;
    return [state, ...(inner ? allStates(inner) : [])];
  });
}

/** Inputs of the service-side calls: the run date, and the tables the checks query reads. */
export interface ServiceCallOptions {
  date: string;
  /** The curated keys the transform wrote (the crawler and Athena read them). */
  curatedKeys: readonly string[];
  queryExecutionId?: string;
}

/**
 * The calls of the state machine's Tasks and what the services do for a daily run, derived from the template (names,
 * ARNs, substitutions) and the definition.
 */
export function serviceCalls(policies: TemplatePolicies, options: ServiceCallOptions): AwsCall[] {
  const p = stackPrincipals(policies);
  const machineId = policies.idsOf("AWS::StepFunctions::StateMachine")[0]!;
  const machineArn = policies.arnOf(machineId);
  const subs = policies.resolve(
    policies.resources[machineId]?.Properties?.DefinitionSubstitutions,
  ) as DefinitionSubstitutions;
  const bucketName = (prefix: string) =>
    policies.nameOf(policies.idsOf("AWS::S3::Bucket").find((id) => id.startsWith(prefix))!);
  const curated = bucketName("CuratedBucket");
  const results = bucketName("AthenaResultsBucket");
  const topicId = policies.idsOf("AWS::SNS::Topic")[0]!;
  const topicArn = policies.arnOf(topicId);
  const keyArn = policies.arnOf(policies.idsOf("AWS::KMS::Key")[0]!);
  const workgroupArn = `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${subs.AthenaWorkGroup}`;
  const crawlerArn = `arn:aws:glue:${REGION}:${ACCOUNT}:crawler/${subs.CrawlerName}`;
  const catalog = `arn:aws:glue:${REGION}:${ACCOUNT}:catalog`;
  const database = `arn:aws:glue:${REGION}:${ACCOUNT}:database/${subs.GlueDatabase}`;
  const table = (name: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:table/${subs.GlueDatabase}/${name}`;
  const qid = options.queryExecutionId ?? "00000000-0000-0000-0000-000000000001";
  const calls: AwsCall[] = [];
  const add = (principal: string, action: string, resource: string, why: string, context: AwsCall["context"] = {}) =>
    calls.push({ principal, action, resource, why, context: { ...TLS, ...context } });

  // The schedule starts the day's execution with its role.
  add(p.schedule, "states:StartExecution", machineArn, "DailySchedule: starts the execution");

  // The state machine's Tasks, from the definition the stack deploys.
  const definition = buildDefinition();
  const sub = (value: unknown) =>
    String(value).replace(/\$\{(\w+)\}/g, (_, name: string) => subs[name as keyof DefinitionSubstitutions]);
  const viaSns = { "kms:ViaService": `sns.${REGION}.amazonaws.com`, "kms:CallerAccount": ACCOUNT };
  const tablesRead = [...CATALOG_TABLES];
  const tableKeys = (name: string) => options.curatedKeys.filter((k) => k.startsWith(`${name}/`));
  for (const state of allStates(definition.States)) {
    if (state.Type !== "Task") continue;
    const params = (state.Parameters ?? {}) as Json;
    const resource = String(state.Resource);
    const who = `state machine ${resource}`;
    switch (resource) {
      case "arn:aws:states:::lambda:invoke":
        add(p.stateMachine, "lambda:InvokeFunction", sub(params.FunctionName), who);
        break;
      case "arn:aws:states:::aws-sdk:glue:startCrawler":
        add(p.stateMachine, "glue:StartCrawler", crawlerArn, who);
        break;
      case "arn:aws:states:::aws-sdk:glue:getCrawler":
        add(p.stateMachine, "glue:GetCrawler", crawlerArn, who);
        break;
      case "arn:aws:states:::athena:startQueryExecution.sync": {
        // The .sync integration starts the query, polls it, and stops it if the execution stops.
        for (const action of ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:StopQueryExecution"])
          add(p.stateMachine, action, workgroupArn, who);
        // Athena reads the catalog and the data, and writes the results, with the caller's permissions.
        const onBehalf = `Athena for ${who}`;
        for (const action of ["glue:GetDatabase"])
          for (const arn of [catalog, database]) add(p.stateMachine, action, arn, onBehalf);
        for (const name of tablesRead) {
          for (const action of ["glue:GetTable", "glue:GetPartitions"])
            for (const arn of [catalog, database, table(name)]) add(p.stateMachine, action, arn, onBehalf);
          add(p.stateMachine, "s3:ListBucket", `arn:aws:s3:::${curated}`, onBehalf, {
            "s3:prefix": `${name}/dt=${options.date}/`,
          });
          for (const key of tableKeys(name))
            add(p.stateMachine, "s3:GetObject", `arn:aws:s3:::${curated}/${key}`, onBehalf);
        }
        add(p.stateMachine, "s3:GetBucketLocation", `arn:aws:s3:::${curated}`, onBehalf);
        add(p.stateMachine, "s3:GetBucketLocation", `arn:aws:s3:::${results}`, onBehalf);
        for (const suffix of [".csv", ".csv.metadata"])
          add(p.stateMachine, "s3:PutObject", `arn:aws:s3:::${results}/results/${qid}${suffix}`, onBehalf);
        break;
      }
      case "arn:aws:states:::aws-sdk:athena:getQueryResults":
        add(p.stateMachine, "athena:GetQueryResults", workgroupArn, who);
        add(p.stateMachine, "s3:GetObject", `arn:aws:s3:::${results}/results/${qid}.csv`, `Athena for ${who}`);
        break;
      case "arn:aws:states:::sns:publish":
        add(p.stateMachine, "sns:Publish", sub(params.TopicArn), who);
        // An encrypted topic: SNS asks KMS for a data key with the publisher's permissions.
        add(p.stateMachine, "kms:GenerateDataKey", keyArn, `SNS for ${who}`, viaSns);
        add(p.stateMachine, "kms:Decrypt", keyArn, `SNS for ${who}`, viaSns);
        break;
      default:
        throw new TemplateError({
          reason: "unknownCall",
          call: `the Task resource ${resource}`,
          mapper: "serviceCalls",
        });
    }
  }
  // Tracing is on: Step Functions sends the execution's segments with its role.
  add(p.stateMachine, "xray:PutTraceSegments", "*", "state machine tracing");

  // The crawler: reads the tables and the curated files, adds the day's partitions, logs. In S3 event mode (an event
  // queue on its catalog target) S3 sends the queue one event per Parquet file the transform wrote under a table
  // prefix, and the crawl lists only the folders the events name; the first crawl after a deploy lists every table's
  // folder and purges the queue. The SQS calls are those Glue's developer guide asks the crawler role for
  // ("Accelerating crawls using Amazon S3 event notifications"), less the two no crawl step needs (reported unused).
  const crawlerId = policies.idsOf("AWS::Glue::Crawler")[0]!;
  const targets = policies.resolve(policies.resources[crawlerId]?.Properties?.Targets) as {
    CatalogTargets?: { EventQueueArn?: string }[];
  };
  const eventQueue = targets.CatalogTargets?.[0]?.EventQueueArn;
  for (const name of CATALOG_TABLES) {
    for (const action of ["glue:GetTable", "glue:GetPartitions", "glue:BatchGetPartition", "glue:BatchCreatePartition"])
      for (const arn of [catalog, database, table(name)]) add(p.crawler, action, arn, `crawler ${name}`);
    add(p.crawler, "s3:ListBucket", `arn:aws:s3:::${curated}`, `crawler ${name} (listing crawl)`, {
      "s3:prefix": `${name}/`,
    });
    if (eventQueue) {
      add(p.crawler, "s3:ListBucket", `arn:aws:s3:::${curated}`, `crawler ${name} (event crawl)`, {
        "s3:prefix": `${name}/dt=${options.date}/`,
      });
    }
    for (const key of tableKeys(name)) {
      add(p.crawler, "s3:GetObject", `arn:aws:s3:::${curated}/${key}`, "crawler");
      if (eventQueue && crawlEventFolder(key)) {
        add("s3.amazonaws.com", "sqs:SendMessage", eventQueue, `curated bucket notifies ObjectCreated ${key}`, {
          "aws:SourceArn": `arn:aws:s3:::${curated}`,
          "aws:SourceAccount": ACCOUNT,
        });
      }
    }
  }
  if (eventQueue) {
    for (const action of [
      "sqs:GetQueueUrl",
      "sqs:GetQueueAttributes",
      "sqs:SetQueueAttributes",
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:PurgeQueue",
    ])
      add(p.crawler, action, eventQueue, "crawler consumes the curated bucket's events");
  }
  for (const arn of [catalog, database]) add(p.crawler, "glue:GetDatabase", arn, "crawler");
  add(p.crawler, "s3:GetBucketLocation", `arn:aws:s3:::${curated}`, "crawler");
  const crawlerLogs = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/crawlers`;
  add(p.crawler, "logs:CreateLogGroup", crawlerLogs, "crawler logs");
  add(p.crawler, "logs:CreateLogStream", `${crawlerLogs}:log-stream:${subs.CrawlerName}`, "crawler logs");
  add(p.crawler, "logs:PutLogEvents", `${crawlerLogs}:log-stream:${subs.CrawlerName}`, "crawler logs");

  // The functions: logs and traces by Lambda with the function's role; the extract's secrets through SST's client.
  for (const [role, fnId] of [
    [p.extract, lakeFunctionId(policies, "Spotify")],
    [p.transform, lakeFunctionId(policies, "raw zone")],
    [p.notifier, lakeFunctionId(policies, "failure alerts")],
  ] as const) {
    const name = policies.nameOf(fnId);
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${name}:log-stream:2026/11/21/[$LATEST]0`;
    add(role, "logs:CreateLogStream", stream, `Lambda logs of ${name}`);
    add(role, "logs:PutLogEvents", stream, `Lambda logs of ${name}`);
    const tracing = policies.resources[fnId]?.Properties?.TracingConfig as { Mode?: string } | undefined;
    if (tracing?.Mode === "Active") add(role, "xray:PutTraceSegments", "*", `Lambda tracing of ${name}`);
  }
  const extractProps = policies.resources[lakeFunctionId(policies, "Spotify")]!.Properties!;
  const env = (extractProps.Environment as { Variables: Json }).Variables;
  for (const secret of SPOTIFY_SECRETS) {
    add(
      p.extract,
      "ssm:GetParameters",
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/sst/${String(env.SST_APP)}/${String(env.SST_STAGE)}/Secret/${secret}/value`,
      "extract: SST Config secrets",
    );
  }

  // Alerts: the failure rule invokes the notifier as EventBridge (its calls are recorded by the test); each alarm
  // (missed run, notifier errors) publishes to the encrypted topic as CloudWatch.
  const rule = policies
    .idsOf("AWS::Events::Rule")
    .find((id) => policies.resources[id]?.Properties?.EventPattern !== undefined)!;
  add(
    "events.amazonaws.com",
    "lambda:InvokeFunction",
    policies.arnOf(lakeFunctionId(policies, "failure alerts")),
    "the failure rule invokes the notifier",
    { "aws:SourceArn": policies.arnOf(rule), "aws:SourceAccount": ACCOUNT },
  );
  for (const alarm of policies.idsOf("AWS::CloudWatch::Alarm")) {
    const service = "cloudwatch.amazonaws.com";
    const context = { "aws:SourceArn": policies.arnOf(alarm), "aws:SourceAccount": ACCOUNT };
    add(service, "sns:Publish", topicArn, `${alarm} publishes an alert`, context);
    add(service, "kms:GenerateDataKey", keyArn, `${alarm} encrypts the alert`, context);
    add(service, "kms:Decrypt", keyArn, `${alarm} encrypts the alert`, context);
  }
  return calls;
}
