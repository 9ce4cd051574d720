/**
 * The extract and transform Lambdas (SST Functions, so `sst dev` can run them live on a laptop), each allowed only
 * its buckets, prefixes and secrets; and the failure notifier, allowed to read this state machine's executions and
 * publish to the failure topic.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ArnFormat, type Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Key } from "aws-cdk-lib/aws-kms";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import type { Topic } from "aws-cdk-lib/aws-sns";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { type App, type Config, Function as SstFunction } from "sst/constructs";
import { ConfigError } from "../packages/core/src/errors.ts";
import { type LakeAccess, type LakeFunctionName, lakeAccess } from "../packages/core/src/lake.ts";
import { DUCKDB_EXTERNALS, installDuckdbBinding, type LambdaArchitecture } from "./duckdb-bundle.ts";
import type { LakeBuckets } from "./lake-buckets.ts";

/**
 * One architecture for every function: Graviton, about 20% cheaper per GB-second than x86_64. DuckDB publishes its
 * linux-arm64 binding at the API's exact version (package-lock.json lists it; stacks/test/lockfile.test.ts checks),
 * and the handlers have no other native code.
 */
export const LAMBDA_ARCHITECTURE: LambdaArchitecture = "arm_64";
/** Lambda runtime: Node 22 (README "Development": the Lambda-bundle test runs the bundles under it). */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** Lambda's limit for all environment variables together is 4 KB; the sources config must fit in it. */
const MAX_CONFIG_ENV_BYTES = 3072;

export interface LakeFunctions {
  extract: SstFunction;
  transform: SstFunction;
}

export interface LakeFunctionsProps {
  buckets: LakeBuckets;
  /** Memory sizes in MB (stacks/settings.ts). */
  extractMemoryMb?: number;
  transformMemoryMb?: number;
  /** The Spotify credentials (SST `Config.Secret`s); only the extract function is bound to them. */
  secrets: Config.Secret[];
  /** The sources config file, passed to extract as `TUNELAKE_CONFIG`. */
  configFile: string;
  /** True for `npm run synth`: bundle with esbuild, but take the DuckDB binding from this machine or npm's cache only. */
  offline: boolean;
}

/** The `s3:prefix` values that `s3:ListBucket` allows for a folder: the folder and anything under it. */
export const listPrefixes = (folders: readonly string[]): string[] =>
  folders.flatMap((folder) => [`${folder}/*`, folder]);

/**
 * A function's S3 statements, from the lake's own access table (packages/core/src/lake.ts `lakeAccess`): the folders
 * its key builders write and read, and `s3:ListBucket` on them so a missing key reads as 404, not 403.
 */
export function lakeStatements(fn: LakeFunctionName, buckets: LakeBuckets): PolicyStatement[] {
  const access: LakeAccess = lakeAccess(fn);
  const bucketOf = (zone: "raw" | "curated"): Bucket => (zone === "raw" ? buckets.raw : buckets.curated);
  return [
    ...access.objects.map(
      (grant) =>
        new PolicyStatement({
          actions: [...grant.actions],
          resources: grant.folders.map((folder) => bucketOf(grant.zone).arnForObjects(`${folder}/*`)),
        }),
    ),
    ...access.list.map(
      (grant) =>
        new PolicyStatement({
          actions: ["s3:ListBucket"],
          resources: [bucketOf(grant.zone).bucketArn],
          conditions: { StringLike: { "s3:prefix": listPrefixes(grant.folders) } },
        }),
    ),
  ];
}

function readConfigEnv(configFile: string): string {
  const json = JSON.stringify(JSON.parse(readFileSync(configFile, "utf8")));
  if (Buffer.byteLength(json) > MAX_CONFIG_ENV_BYTES) {
    throw new ConfigError({
      reason: "configTooLarge",
      file: path.basename(configFile),
      bytes: Buffer.byteLength(json),
    });
  }
  return json;
}

/** Creates both functions with their least-privilege policies and one-month log groups. */
export function createLakeFunctions(stack: Stack, props: LakeFunctionsProps): LakeFunctions {
  const { raw, curated } = props.buckets;
  // `sst dev` (app mode "dev") builds the live functions in SST's start mode, to run on this machine.
  const buildMode = (stack.node.root as App).mode === "dev" ? "start" : "deploy";

  const extract = new SstFunction(stack, "Extract", {
    handler: "packages/functions/src/extract.handler",
    description: "tunelake: Spotify Web API -> raw zone (one run date)",
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    // Network-bound (paged API calls, 429 back-off); memory mostly buys CPU for gzip.
    memorySize: `${props.extractMemoryMb ?? 1024} MB`,
    timeout: "15 minutes",
    diskSize: "1024 MB",
    environment: { RAW_BUCKET: raw.bucketName, TUNELAKE_CONFIG: readConfigEnv(props.configFile) },
    bind: props.secrets,
    permissions: lakeStatements("extract", props.buckets),
  });

  const transform = new SstFunction(stack, "Transform", {
    handler: "packages/functions/src/transform.handler",
    description: "tunelake: raw zone -> curated Parquet with DuckDB (one entity, one run date)",
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    // DuckDB: a large day is a few GB of JSON per entity; memory is DuckDB's working set, /tmp its spill space.
    memorySize: `${props.transformMemoryMb ?? 3008} MB`,
    timeout: "15 minutes",
    diskSize: "8192 MB",
    environment: { RAW_BUCKET: raw.bucketName, CURATED_BUCKET: curated.bucketName },
    nodejs: { format: "esm", esbuild: { external: DUCKDB_EXTERNALS } },
    hooks: {
      afterBuild: installDuckdbBinding(LAMBDA_ARCHITECTURE, {
        mode: buildMode,
        offline: props.offline,
        log: console.log,
      }),
    },
    permissions: lakeStatements("transform", props.buckets),
  });

  for (const [id, fn] of [
    ["ExtractLogs", extract],
    ["TransformLogs", transform],
  ] as const) {
    // Created here rather than by Lambda on first log line, so it has a retention instead of "never expire".
    new LogGroup(stack, id, {
      logGroupName: `/aws/lambda/${fn.functionName}`,
      retention: RetentionDays.ONE_MONTH,
    });
  }
  return { extract, transform };
}

/**
 * The failure notifier (packages/functions/src/notify-failure.ts), the failure rule's target: DescribeExecution on
 * this state machine's executions only, Publish to the failure topic, and the topic key's data-key calls SNS makes
 * with the publisher's permissions. Small and quick: one read, one publish.
 */
export function createFailureNotifier(
  stack: Stack,
  props: {
    stage: string;
    stateMachine: IStateMachine & { stateMachineName: string };
    topic: Topic;
    topicKey: Key;
    /**
     * The SSM parameter holding the user refresh token, when the stage's config asks for user sources: the notifier
     * reads when it last changed (never its value: no decryption, no KMS) to warn before Spotify expires the token.
     */
    refreshTokenParameter?: string;
  },
): SstFunction {
  const executions = stack.formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${props.stateMachine.stateMachineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const notifier = new SstFunction(stack, "NotifyFailureFn", {
    handler: "packages/functions/src/notify-failure.handler",
    description: "tunelake: failure alerts for executions NotifyFailure did not report",
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    memorySize: "256 MB",
    timeout: "30 seconds",
    environment: {
      FAILURE_TOPIC_ARN: props.topic.topicArn,
      TUNELAKE_STAGE: props.stage,
      ...(props.refreshTokenParameter ? { SPOTIFY_REFRESH_TOKEN_PARAMETER: props.refreshTokenParameter } : {}),
    },
    permissions: [
      new PolicyStatement({ actions: ["states:DescribeExecution"], resources: [executions] }),
      new PolicyStatement({ actions: ["sns:Publish"], resources: [props.topic.topicArn] }),
      new PolicyStatement({ actions: ["kms:GenerateDataKey*", "kms:Decrypt"], resources: [props.topicKey.keyArn] }),
      ...(props.refreshTokenParameter
        ? [
            new PolicyStatement({
              actions: ["ssm:GetParameters"],
              resources: [stack.formatArn({ service: "ssm", resource: `parameter${props.refreshTokenParameter}` })],
            }),
          ]
        : []),
    ],
  });
  new LogGroup(stack, "NotifyFailureLogs", {
    logGroupName: `/aws/lambda/${notifier.functionName}`,
    retention: RetentionDays.ONE_MONTH,
  });
  return notifier;
}
