/**
 * The extract and transform Lambdas (SST Functions, so `sst dev` can run them live on a laptop), each allowed only
 * its buckets, prefixes and secrets.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import { type App, type Config, Function as SstFunction } from "sst/constructs";
import { COLUMN_STATS, CURATED_TABLES, RAW_ENTITIES, TABLE_STATS } from "../packages/core/src/lake.ts";
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

/** Raw-zone folders besides the entities (README "The lake"). */
const RAW_SIDE_FOLDERS = { manifests: "_manifests", rejects: "_rejects" } as const;
/** Curated-zone folders besides the tables: per-table and per-column statistics and the transform reports. */
const CURATED_SIDE_FOLDERS = [TABLE_STATS, COLUMN_STATS, "_reports"] as const;

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

const objectArns = (bucket: Bucket, folders: readonly string[]): string[] =>
  folders.map((folder) => bucket.arnForObjects(`${folder}/*`));

/** `s3:ListBucket` limited to the folders a function works in. */
function listFolders(bucket: Bucket, folders: readonly string[]): PolicyStatement {
  return new PolicyStatement({
    actions: ["s3:ListBucket"],
    resources: [bucket.bucketArn],
    conditions: { StringLike: { "s3:prefix": folders.flatMap((folder) => [`${folder}/*`, folder]) } },
  });
}

function readConfigEnv(configFile: string): string {
  const json = JSON.stringify(JSON.parse(readFileSync(configFile, "utf8")));
  if (Buffer.byteLength(json) > MAX_CONFIG_ENV_BYTES) {
    throw new Error(
      `${path.basename(configFile)} is ${Buffer.byteLength(json)} bytes minified; Lambda environment variables hold 4 KB in all. Trim the sources.`,
    );
  }
  return json;
}

/** Creates both functions with their least-privilege policies and one-month log groups. */
export function createLakeFunctions(stack: Stack, props: LakeFunctionsProps): LakeFunctions {
  const { raw, curated } = props.buckets;
  const rawEntityFolders = [...RAW_ENTITIES];
  const curatedFolders = [...CURATED_TABLES, ...CURATED_SIDE_FOLDERS];
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
    permissions: [
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: objectArns(raw, [...rawEntityFolders, RAW_SIDE_FOLDERS.manifests, RAW_SIDE_FOLDERS.rejects]),
      }),
      listFolders(raw, [...rawEntityFolders, RAW_SIDE_FOLDERS.manifests, RAW_SIDE_FOLDERS.rejects]),
    ],
  });

  const transform = new SstFunction(stack, "Transform", {
    handler: "packages/functions/src/transform.handler",
    description: "tunelake: raw zone -> curated Parquet with DuckDB (one entity, one run date)",
    runtime: LAMBDA_RUNTIME,
    architecture: LAMBDA_ARCHITECTURE,
    // DuckDB: a large day is a few GB of JSON per entity; memory is DuckDB's working set, /tmp its spill space.
    memorySize: `${props.transformMemoryMb ?? 4096} MB`,
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
    permissions: [
      new PolicyStatement({
        actions: ["s3:GetObject"],
        resources: objectArns(raw, [...rawEntityFolders, RAW_SIDE_FOLDERS.manifests]),
      }),
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: objectArns(raw, [RAW_SIDE_FOLDERS.rejects]),
      }),
      listFolders(raw, [...rawEntityFolders, RAW_SIDE_FOLDERS.manifests, RAW_SIDE_FOLDERS.rejects]),
      new PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        resources: objectArns(curated, curatedFolders),
      }),
      listFolders(curated, curatedFolders),
    ],
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
