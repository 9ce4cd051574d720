import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CRAWL_EVENT_FILTERS, CRAWLER_SETTINGS } from "../../packages/core/src/catalog/crawler-settings.ts";
import { NAMED_QUERIES } from "../../packages/core/src/checks/named-queries.ts";
import { STAGE_OUTPUT_KEYS } from "../../packages/core/src/stage-outputs.ts";
import { CATALOG_TABLES, curatedTable, glueType } from "../../packages/core/src/transform/curated-tables.ts";
import {
  buildDefinition,
  DEFINITION_SUBSTITUTIONS,
  type DefinitionSubstitutions,
  renderDefinition,
} from "../../packages/core/src/workflow/definition.ts";
import { DUCKDB_EXTERNALS, duckdbPackages } from "../duckdb-bundle.ts";
import { LAKE_LIFECYCLE } from "../lake-buckets.ts";
import { createLakeCatalog, PARQUET_STORAGE, stageCrawlerSettings } from "../lake-catalog.ts";
import { LAMBDA_ARCHITECTURE } from "../lake-functions.ts";
import type { OfflineSynth } from "../offline-app.ts";
import { SPOTIFY_SECRETS } from "../pipeline.ts";
import { NOT_IN_LAMBDA, NOT_IN_LAMBDA_IMPORT, readBundle } from "./bundle-modules.ts";
import {
  type CfnResource,
  findResource,
  functionAssetDir,
  getAtt,
  type Json,
  lakeFunction,
  ref,
  resourcesOfType,
  synthTestStage,
  TEST_ALERT_EMAIL,
  TEST_STAGE,
} from "./synth-fixture.ts";

let synth: OfflineSynth;
let json: Json;
let template: Template;

beforeAll(async () => {
  // The deploy's npm install of the transform's DuckDB packages (from npm's cache when it has them, else the registry),
  // so the asset is the one `sst deploy` uploads.
  const result = await synthTestStage({ npmInstall: true });
  synth = result.synth;
  json = result.template;
  template = Template.fromJSON(json);
});
afterAll(() => synth?.cleanup());

const props = (resource: CfnResource): Json => resource.Properties ?? {};
const bucketId = (prefix: string): string => {
  const found = resourcesOfType(json, "AWS::S3::Bucket").find(([id]) => id.startsWith(prefix));
  if (!found) expect.unreachable(`no bucket ${prefix}`);
  return found[0];
};

describe("buckets", () => {
  it.each(["RawBucket", "CuratedBucket", "AthenaResultsBucket"])(
    "%s blocks public access, is encrypted and refuses plain HTTP",
    (prefix) => {
      // Prepare
      const id = bucketId(prefix);

      // Assess
      const bucket = resourcesOfType(json, "AWS::S3::Bucket").find(([candidate]) => candidate === id)![1];
      expect(props(bucket)).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
      });
      const [, policy] = findResource(
        json,
        "AWS::S3::BucketPolicy",
        (p) => JSON.stringify(p.Bucket) === JSON.stringify(ref(id)),
      );
      expect(JSON.stringify(props(policy))).toContain('"aws:SecureTransport":"false"');
      expect(props(policy).PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([expect.objectContaining({ Effect: "Deny" })]),
      });
    },
  );

  it("versions the raw bucket and moves it to colder classes", () => {
    const [, raw] = resourcesOfType(json, "AWS::S3::Bucket").find(([id]) => id.startsWith("RawBucket"))!;

    expect(props(raw).VersioningConfiguration).toEqual({ Status: "Enabled" });
    const rule = (props(raw).LifecycleConfiguration as { Rules: Json[] }).Rules[0]!;
    expect(rule.Transitions).toEqual([
      { StorageClass: "STANDARD_IA", TransitionInDays: LAKE_LIFECYCLE.rawToInfrequentAccessDays },
      { StorageClass: "GLACIER_IR", TransitionInDays: LAKE_LIFECYCLE.rawToGlacierInstantDays },
    ]);
    expect(rule.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: LAKE_LIFECYCLE.rawNoncurrentVersionDays });
  });

  it("expires Athena results", () => {
    const [, results] = resourcesOfType(json, "AWS::S3::Bucket").find(([id]) => id.startsWith("AthenaResults"))!;

    const rule = (props(results).LifecycleConfiguration as { Rules: Json[] }).Rules[0]!;
    expect(rule).toMatchObject({ ExpirationInDays: LAKE_LIFECYCLE.athenaResultsDays, Status: "Enabled" });
  });
});

describe("functions", () => {
  it.each([
    ["Spotify", { MemorySize: 1024, EphemeralStorage: { Size: 1024 } }],
    ["raw zone", { MemorySize: 3008, EphemeralStorage: { Size: 8192 } }],
  ])("the function for %s runs Node 22 on Graviton (arm64), sized for a large day", (prefix, sizing) => {
    const [, fn] = lakeFunction(json, prefix);

    expect(LAMBDA_ARCHITECTURE).toBe("arm_64");
    expect(props(fn)).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Timeout: 900,
      TracingConfig: { Mode: "Active" },
      ...sizing,
    });
  });

  it("gives extract its bucket, its config and the Spotify secrets, and transform both buckets only", () => {
    const [, extract] = lakeFunction(json, "Spotify");
    const [, transform] = lakeFunction(json, "raw zone");

    const extractEnv = (props(extract).Environment as { Variables: Json }).Variables;
    const transformEnv = (props(transform).Environment as { Variables: Json }).Variables;
    expect(extractEnv.RAW_BUCKET).toEqual(ref(bucketId("RawBucket")));
    expect(JSON.parse(String(extractEnv.TUNELAKE_CONFIG))).toEqual(
      JSON.parse(readFileSync(path.join(__dirname, "../../tunelake.config.json"), "utf8")),
    );
    for (const name of SPOTIFY_SECRETS) expect(extractEnv[`SST_Secret_value_${name}`]).toBe("__FETCH_FROM_SSM__");
    expect(transformEnv).toMatchObject({
      RAW_BUCKET: ref(bucketId("RawBucket")),
      CURATED_BUCKET: ref(bucketId("CuratedBucket")),
    });
    expect(Object.keys(transformEnv).filter((key) => key.startsWith("SST_Secret"))).toEqual([]);
  });

  it("bundles extract without DuckDB and transform with the linux-arm64 binding at the API's version", () => {
    const transformDir = functionAssetDir(synth, lakeFunction(json, "raw zone")[1]);
    const extractDir = functionAssetDir(synth, lakeFunction(json, "Spotify")[1]);

    const bundle = readFileSync(path.join(transformDir, "packages/functions/src/transform.mjs"), "utf8");
    expect(bundle).toMatch(/from\s*"@duckdb\/node-api"/);
    const manifest = JSON.parse(readFileSync(path.join(transformDir, "package.json"), "utf8")) as Json;
    expect(manifest.dependencies).toEqual(duckdbPackages(LAMBDA_ARCHITECTURE));
    const versions = new Set(Object.values(manifest.dependencies as Record<string, string>));
    expect(versions.size).toBe(1);
    const platformPackage = path.join(transformDir, "node_modules/@duckdb/node-bindings-linux-arm64");
    // ELF header: e_machine (bytes 18-19, little-endian) is 183 for AArch64 (62 would be x86-64).
    expect(readFileSync(path.join(platformPackage, "duckdb.node")).readUInt16LE(18)).toBe(183);
    const installed = JSON.parse(readFileSync(path.join(platformPackage, "package.json"), "utf8")) as Json;
    expect(installed).toMatchObject({ os: ["linux"], cpu: ["arm64"] });
    expect(versions.has(String(installed.version))).toBe(true);
    for (const name of ["node-api", "node-bindings"]) {
      const pkg = JSON.parse(
        readFileSync(path.join(transformDir, "node_modules/@duckdb", name, "package.json"), "utf8"),
      );
      expect(versions.has(String((pkg as Json).version))).toBe(true);
    }
    expect(existsSync(path.join(extractDir, "node_modules"))).toBe(false);
    expect(DUCKDB_EXTERNALS).toContain("@duckdb/node-api");
  });
});

describe("Lambda bundles", () => {
  it.each([
    ["extract", "Spotify", []],
    ["transform", "raw zone", []],
    // The failure notifier reads the execution it reports: the SFN client is its one exception.
    ["notify-failure", "failure alerts", ["@aws-sdk/client-sfn"]],
  ] as const)(
    "%s ships functions and core only: no local runtime, CLI, AWS adapters or sample API",
    (name, prefix, allowed) => {
      // Prepare
      const dir = functionAssetDir(synth, lakeFunction(json, prefix)[1]);

      // Act
      const { code, modules } = readBundle(dir, `packages/functions/src/${name}.mjs`);
      const dependencies =
        (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as Json).dependencies ?? {};

      // Assess: the module comments are there (else the check below would see nothing) ...
      expect(modules).toContain(`packages/functions/src/${name}.ts`);
      expect(modules).toContain("packages/core/src/errors.ts");
      // ... and none of them, no external import and no installed package is local, CLI, AWS-operations or sample API.
      const exempt = (m: string) => allowed.some((pkg: string) => m.includes(pkg));
      expect(modules.filter((m) => NOT_IN_LAMBDA.some((rule) => rule.test(m)) && !exempt(m))).toEqual([]);
      expect([...code.matchAll(NOT_IN_LAMBDA_IMPORT)].map((m) => m[1]!).filter((m) => !exempt(m))).toEqual([]);
      expect(Object.keys(dependencies).filter((d) => /aws-local-stepfunctions|^@tunelake\//.test(d))).toEqual([]);
    },
  );
});

describe("state machine", () => {
  it("is a Standard state machine that logs everything to CloudWatch and traces with X-Ray", () => {
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      StateMachineType: "STANDARD",
      StateMachineName: `${TEST_STAGE}-tunelake-pipeline`,
      LoggingConfiguration: Match.objectLike({ Level: "ALL", IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it("deploys the local definition unchanged, with every placeholder bound to this stack's resources", () => {
    // Prepare
    const [, machine] = resourcesOfType(json, "AWS::StepFunctions::StateMachine")[0]!;
    const deployed = String(props(machine).DefinitionString);
    const subs = props(machine).DefinitionSubstitutions as Record<string, unknown>;
    const extractId = lakeFunction(json, "Spotify")[0];
    const transformId = lakeFunction(json, "raw zone")[0];
    const topicId = resourcesOfType(json, "AWS::SNS::Topic")[0]![0];
    const crawler = props(resourcesOfType(json, "AWS::Glue::Crawler")[0]![1]);
    const workGroup = props(resourcesOfType(json, "AWS::Athena::WorkGroup")[0]![1]);

    // Act: fill the placeholders the way CloudFormation would, with readable stand-ins for the ARNs.
    const standIns = Object.fromEntries(
      DEFINITION_SUBSTITUTIONS.map((key) => [key, typeof subs[key] === "string" ? subs[key] : `<${key}>`]),
    ) as DefinitionSubstitutions;
    let rendered = deployed;
    for (const key of DEFINITION_SUBSTITUTIONS) rendered = rendered.split(`\${${key}}`).join(standIns[key]);

    // Assess
    expect(JSON.parse(deployed)).toEqual(buildDefinition());
    expect(JSON.parse(rendered)).toEqual(renderDefinition(standIns));
    expect(Object.keys(subs).sort()).toEqual([...DEFINITION_SUBSTITUTIONS].sort());
    expect(subs).toEqual({
      ExtractFunctionArn: getAtt(extractId, "Arn"),
      TransformFunctionArn: getAtt(transformId, "Arn"),
      CrawlerName: crawler.Name,
      AthenaWorkGroup: workGroup.Name,
      GlueDatabase: (props(resourcesOfType(json, "AWS::Glue::Database")[0]![1]).DatabaseInput as Json).Name,
      FailureTopicArn: ref(topicId),
    });
  });

  it("is started daily by an EventBridge rule with the input Prepare expects", () => {
    const machineId = resourcesOfType(json, "AWS::StepFunctions::StateMachine")[0]![0];

    const [, rule] = findResource(json, "AWS::Events::Rule", (p) => p.ScheduleExpression !== undefined);
    expect(props(rule).ScheduleExpression).toBe("cron(0 6 * * ? *)");
    const targets = props(rule).Targets as Json[];
    expect(targets).toHaveLength(1);
    expect(targets[0]).toMatchObject({ Arn: ref(machineId), Input: "{}" });
    expect(targets[0]!.RoleArn).toBeDefined();
  });
});

describe("catalog and Athena", () => {
  it("declares a Parquet Glue table per curated table and table_stats, with the defined columns, partitioned by dt", () => {
    const tables = resourcesOfType(json, "AWS::Glue::Table").map(([, r]) => props(r));
    const databaseId = resourcesOfType(json, "AWS::Glue::Database")[0]![0];

    expect(tables.map((t) => (t.TableInput as Json).Name).sort()).toEqual([...CATALOG_TABLES].sort());
    for (const name of CATALOG_TABLES) {
      const table = tables.find((t) => (t.TableInput as Json).Name === name)!;
      const input = table.TableInput as Json;
      const storage = input.StorageDescriptor as Json;
      expect(table.DatabaseName).toBe(`tunelake_${TEST_STAGE}`);
      expect(input.PartitionKeys).toEqual([expect.objectContaining({ Name: "dt", Type: "string" })]);
      expect((storage.Columns as Json[]).map((c) => [c.Name, c.Type])).toEqual(
        curatedTable(name).columns.map((c) => [c.name, glueType(c.type)]),
      );
      expect(storage).toMatchObject({
        InputFormat: PARQUET_STORAGE.inputFormat,
        OutputFormat: PARQUET_STORAGE.outputFormat,
        SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" },
      });
      const location = JSON.stringify(storage.Location);
      expect(location).toContain(bucketId("CuratedBucket"));
      expect(location).toContain(`/${name}/`);
    }
    expect(JSON.stringify(resourcesOfType(json, "AWS::Glue::Table")[0]![1].DependsOn)).toContain(databaseId);
  });

  it("crawls those tables (catalog targets) in S3 event mode, registering partitions and never changing a table", () => {
    const [, crawler] = resourcesOfType(json, "AWS::Glue::Crawler")[0]!;
    const config = JSON.parse(String(props(crawler).Configuration)) as Json;
    const tableIds = resourcesOfType(json, "AWS::Glue::Table").map(([id]) => id);
    const [queueId, queue] = resourcesOfType(json, "AWS::SQS::Queue")[0]!;

    expect(props(crawler)).toMatchObject({
      RecrawlPolicy: { RecrawlBehavior: "CRAWL_EVENT_MODE" },
      SchemaChangePolicy: { UpdateBehavior: "LOG", DeleteBehavior: "LOG" },
    });
    expect(props(crawler).Schedule).toBeUndefined();
    const targets = props(crawler).Targets as { CatalogTargets: Json[]; S3Targets?: unknown };
    expect(targets.S3Targets).toBeUndefined();
    expect(targets.CatalogTargets).toEqual([
      {
        DatabaseName: `tunelake_${TEST_STAGE}`,
        Tables: [...CATALOG_TABLES],
        EventQueueArn: { "Fn::GetAtt": [queueId, "Arn"] },
      },
    ]);
    expect(props(queue)).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(config).toEqual({ Version: 1, CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } } });
    // The tables exist before the crawler is created (catalog targets must exist).
    for (const id of tableIds) expect(crawler.DependsOn).toContain(id);
  });

  it("notifies the crawler's queue of each Parquet file created under a table prefix, and lets only S3 send", () => {
    const [queueId] = resourcesOfType(json, "AWS::SQS::Queue")[0]!;
    const [, notifications] = resourcesOfType(json, "Custom::S3BucketNotifications")[0]!;
    const configs = (props(notifications).NotificationConfiguration as { QueueConfigurations: Json[] })
      .QueueConfigurations;

    expect(configs.map((c) => c.Filter)).toEqual(
      CRAWL_EVENT_FILTERS.map(({ prefix, suffix }) => ({
        Key: {
          FilterRules: [
            { Name: "suffix", Value: suffix },
            { Name: "prefix", Value: prefix },
          ],
        },
      })),
    );
    for (const c of configs) {
      expect(c).toMatchObject({ Events: ["s3:ObjectCreated:*"], QueueArn: { "Fn::GetAtt": [queueId, "Arn"] } });
    }
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sqs:SendMessage",
            Condition: Match.objectLike({ ArnEquals: Match.anyValue(), StringEquals: Match.anyValue() }),
          }),
        ]),
      }),
    });
  });

  it("falls back to crawling everything when the Snowflake feed takes the notifications, and never to what Glue refuses", () => {
    expect(stageCrawlerSettings({ notificationsTaken: false })).toBe(CRAWLER_SETTINGS);
    expect(stageCrawlerSettings({ notificationsTaken: true })).toMatchObject({
      recrawlBehavior: "CRAWL_EVERYTHING",
      eventQueue: false,
    });
    // Settings Glue refuses stop the synth, naming the rule.
    // An App makes its output folder at once (a temp one when it is given none): this one is removed again.
    const outdir = mkdtempSync(path.join(os.tmpdir(), "tunelake-refused-crawler-"));
    try {
      const stack = new Stack(new App({ outdir }), "RefusedCrawler");
      const curated = new Bucket(stack, "Curated");
      const settings = { ...CRAWLER_SETTINGS, recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" as const, eventQueue: false };
      expect(() => createLakeCatalog(stack, { stage: "x", curated, settings })).toThrow(/S3 targets only/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("enforces the workgroup's encrypted result location and bytes-scanned cutoff", () => {
    template.hasResourceProperties("AWS::Athena::WorkGroup", {
      Name: `${TEST_STAGE}-tunelake`,
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: Match.anyValue(),
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: "SSE_S3" } }),
      }),
    });
    const [, workGroup] = resourcesOfType(json, "AWS::Athena::WorkGroup")[0]!;
    const config = props(workGroup).WorkGroupConfiguration as Json;
    expect(Number(config.BytesScannedCutoffPerQuery)).toBeGreaterThanOrEqual(10_000_000);
    expect(JSON.stringify(config.ResultConfiguration)).toContain(bucketId("AthenaResultsBucket"));
  });

  it("saves the analysts' queries in the workgroup and database", () => {
    const named = resourcesOfType(json, "AWS::Athena::NamedQuery").map(([, r]) => props(r));

    expect(named.map((q) => q.Name).sort()).toEqual(NAMED_QUERIES.map((q) => q.name).sort());
    expect(named.map((q) => q.Name)).toEqual(
      expect.arrayContaining([
        "top-tracks-of-the-day",
        "top-albums-of-the-day",
        "new-releases-of-the-week",
        "playlist-movers",
      ]),
    );
    for (const q of named)
      expect(q).toMatchObject({ WorkGroup: `${TEST_STAGE}-tunelake`, Database: `tunelake_${TEST_STAGE}` });
  });
});

describe("alerts and outputs", () => {
  it("encrypts the failure topic with a key the alarms may use, and subscribes the alert email", () => {
    const [keyId, key] = resourcesOfType(json, "AWS::KMS::Key")[0]!;
    const [topicId, topic] = resourcesOfType(json, "AWS::SNS::Topic")[0]!;

    expect(props(topic).KmsMasterKeyId).toEqual(getAtt(keyId, "Arn"));
    expect(JSON.stringify(props(key).KeyPolicy)).toContain("cloudwatch.amazonaws.com");
    // Nothing publishes as EventBridge any more: the failure rule invokes the notifier, which publishes as its role.
    expect(JSON.stringify(props(key).KeyPolicy)).not.toContain("events.amazonaws.com");
    expect(props(key).EnableKeyRotation).toBe(true);
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: TEST_ALERT_EMAIL,
      TopicArn: ref(topicId),
    });
  });

  it("notifies the topic once per failed execution: NotifyFailure for caught failures, the rule's notifier for the rest", () => {
    const machineId = resourcesOfType(json, "AWS::StepFunctions::StateMachine")[0]![0];
    const topicId = resourcesOfType(json, "AWS::SNS::Topic")[0]![0];
    const [keyId] = resourcesOfType(json, "AWS::KMS::Key")[0]!;
    const [notifierId, notifier] = lakeFunction(json, "failure alerts");

    const [ruleId, rule] = findResource(json, "AWS::Events::Rule", (p) => p.EventPattern !== undefined);
    expect(props(rule).EventPattern).toEqual({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { stateMachineArn: [ref(machineId)], status: ["FAILED", "TIMED_OUT", "ABORTED"] },
    });
    // The only rule with an event pattern: no second path for a failed execution.
    expect(resourcesOfType(json, "AWS::Events::Rule").filter(([, r]) => props(r).EventPattern)).toHaveLength(1);
    // Every Catch of the definition ends in NotifyFailure, which publishes to this topic, then Failed.
    const definition = buildDefinition();
    expect(definition.States.NotifyFailure).toMatchObject({ Resource: "arn:aws:states:::sns:publish", Next: "Failed" });
    expect(definition.States.Failed).toMatchObject({ Type: "Fail", ErrorPath: "$.failure.Raised" });
    const catchTargets = new Set<string>();
    const visit = (states: Record<string, Json>) => {
      for (const state of Object.values(states)) {
        for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) catchTargets.add(c.Next);
        const inner = (state.ItemProcessor as { States?: Record<string, Json> } | undefined)?.States;
        if (inner) visit(inner);
      }
    };
    visit(definition.States as unknown as Record<string, Json>);
    for (const target of catchTargets) {
      const state = definition.States[target];
      if (!state) continue; // a Map iteration's own Fail state: the Map's Catch takes over
      const next = state.Type === "Pass" ? String(state.Next) : target;
      expect(["NotifyFailure", "Failed", "NotificationFailed", "WaitForCrawler"]).toContain(next);
    }
    // The rule's one target is the notifier, which only this rule may invoke; Lambda retries it twice.
    expect(props(rule).Targets).toEqual([{ Arn: getAtt(notifierId, "Arn"), Id: "Target0" }]);
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: getAtt(notifierId, "Arn"),
      Principal: "events.amazonaws.com",
      SourceArn: getAtt(ruleId, "Arn"),
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(notifierId),
      MaximumRetryAttempts: 2,
    });
    expect(props(notifier).Environment).toMatchObject({
      Variables: { FAILURE_TOPIC_ARN: ref(topicId), TUNELAKE_STAGE: TEST_STAGE },
    });
    // The repository's config asks for no user source: no refresh token to watch (the IAM proof's config does).
    expect(props(notifier).Environment).not.toHaveProperty("Variables.SPOTIFY_REFRESH_TOKEN_PARAMETER");
    // Its role: DescribeExecution on this state machine's executions, Publish on the topic, the topic key.
    const roleId = (props(notifier).Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const [, policy] = findResource(json, "AWS::IAM::Policy", (p) => JSON.stringify(p.Roles).includes(`"${roleId}"`));
    expect((props(policy).PolicyDocument as { Statement: Json[] }).Statement).toEqual(
      expect.arrayContaining([
        {
          Action: "states:DescribeExecution",
          Effect: "Allow",
          Resource: {
            "Fn::Join": [
              "",
              [
                "arn:",
                { Ref: "AWS::Partition" },
                ":states:us-east-1:123456789012:execution:",
                getAtt(machineId, "Name"),
                ":*",
              ],
            ],
          },
        },
        { Action: "sns:Publish", Effect: "Allow", Resource: ref(topicId) },
        { Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Effect: "Allow", Resource: getAtt(keyId, "Arn") },
      ]),
    );
    expect(JSON.stringify(props(policy).PolicyDocument)).not.toContain("ssm:");
    // The notifier's errors alarm and the missed-run alarm publish to the topic, each allowed by its own ARN.
    const [errorsAlarmId] = findResource(
      json,
      "AWS::CloudWatch::Alarm",
      (p) => p.MetricName === "Errors" && p.Namespace === "AWS/Lambda",
    );
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [{ Name: "FunctionName", Value: ref(notifierId) }],
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [ref(topicId)],
    });
    const [missedRunAlarmId] = findResource(
      json,
      "AWS::CloudWatch::Alarm",
      (p) => p.MetricName === "ExecutionsSucceeded",
    );
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith(
          [errorsAlarmId, missedRunAlarmId].map((alarmId) =>
            Match.objectLike({
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Condition: Match.objectLike({ ArnEquals: { "aws:SourceArn": getAtt(alarmId, "Arn") } }),
            }),
          ),
        ),
      }),
    });
    // Nothing publishes to the topic as EventBridge.
    expect(JSON.stringify(resourcesOfType(json, "AWS::SNS::TopicPolicy"))).not.toContain("events.amazonaws.com");
  });

  it("alarms to the same topic when no execution succeeded in the last 26 hours (missed or failing schedule)", () => {
    const machineId = resourcesOfType(json, "AWS::StepFunctions::StateMachine")[0]![0];
    const topicId = resourcesOfType(json, "AWS::SNS::Topic")[0]![0];
    const [keyId, key] = resourcesOfType(json, "AWS::KMS::Key")[0]!;

    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/States",
      MetricName: "ExecutionsSucceeded",
      Dimensions: [{ Name: "StateMachineArn", Value: ref(machineId) }],
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      AlarmActions: [ref(topicId)],
    });
    // The topic is encrypted: CloudWatch must be allowed to use its key, or the alarm's message is dropped.
    expect(JSON.stringify(props(key).KeyPolicy)).toContain("cloudwatch.amazonaws.com");
    expect(keyId).toBeTruthy();
  });

  it("outputs every name the CLI's cloud mode reads", () => {
    const outputs = json.Outputs as Record<string, { Value: unknown }>;

    for (const key of Object.values(STAGE_OUTPUT_KEYS)) expect(outputs[key]?.Value, key).toBeDefined();
    expect(outputs[STAGE_OUTPUT_KEYS.region]!.Value).toBe("us-east-1");
    expect(outputs[STAGE_OUTPUT_KEYS.workGroup]!.Value).toBe(`${TEST_STAGE}-tunelake`);
  });
});
