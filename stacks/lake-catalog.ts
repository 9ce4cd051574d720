/**
 * The Glue Data Catalog side: one database per stage and a crawler that keeps one table per curated folder, with
 * `dt` partitions, registering only new date folders on each run.
 */
import { Aws, type Stack } from "aws-cdk-lib";
import { CfnCrawler, CfnDatabase } from "aws-cdk-lib/aws-glue";
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Bucket } from "aws-cdk-lib/aws-s3";

/** Curated folders the crawler skips: `_reports/` and any other `_`-prefixed side folder are not tables. */
export const CRAWLER_EXCLUSIONS = ["_*/**", "_*", "**/_*", "**/_*/**"];

/**
 * Crawler `Configuration`: a table per folder at level 2 (`s3://bucket/<table>/`), compatible schemas combined
 * rather than split into one table per partition, partitions inheriting the table's schema, a partition index on
 * `dt`, and new columns merged into the existing table.
 */
export const CRAWLER_CONFIGURATION = {
  Version: 1.0,
  Grouping: { TableGroupingPolicy: "CombineCompatibleSchemas", TableLevelConfiguration: 2 },
  CrawlerOutput: {
    Partitions: { AddOrUpdateBehavior: "InheritFromTable" },
    Tables: { AddOrUpdateBehavior: "MergeNewColumns" },
  },
  CreatePartitionIndex: true,
} as const;

export interface LakeCatalog {
  database: CfnDatabase;
  databaseName: string;
  crawler: CfnCrawler;
  crawlerName: string;
  crawlerArn: string;
  /** ARNs a reader of the curated tables needs on the catalog: the catalog, the database and its tables. */
  catalogReadArns: string[];
}

/** Glue database and names are per stage; Glue names are lowercase with underscores. */
export function glueDatabaseName(stage: string): string {
  return `tunelake_${stage.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
}

/** Creates the database, the crawler and the crawler's role (read curated, write this database, its own logs). */
export function createLakeCatalog(stack: Stack, props: { stage: string; curated: Bucket }): LakeCatalog {
  const databaseName = glueDatabaseName(props.stage);
  const crawlerName = `${props.stage}-tunelake-curated`;
  const catalogArn = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:catalog`;
  const databaseArn = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:database/${databaseName}`;
  const tablesArn = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:table/${databaseName}/*`;
  const crawlerArn = `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:crawler/${crawlerName}`;

  const database = new CfnDatabase(stack, "GlueDatabase", {
    catalogId: Aws.ACCOUNT_ID,
    databaseInput: {
      name: databaseName,
      description: "tunelake curated tables (Parquet, partitioned by dt), kept up to date by the crawler",
    },
  });

  // An inline policy instead of AWSGlueServiceRole, which grants glue:* and s3 on every bucket.
  const role = new Role(stack, "CrawlerRole", {
    assumedBy: new ServicePrincipal("glue.amazonaws.com"),
    description: "tunelake crawler: reads the curated bucket, writes tables and partitions of its database",
    inlinePolicies: {
      crawl: new PolicyDocument({
        statements: [
          new PolicyStatement({
            actions: ["s3:GetObject"],
            resources: [props.curated.arnForObjects("*")],
          }),
          new PolicyStatement({
            actions: ["s3:ListBucket", "s3:GetBucketLocation"],
            resources: [props.curated.bucketArn],
          }),
          new PolicyStatement({
            actions: [
              "glue:GetDatabase",
              "glue:GetTable",
              "glue:GetTables",
              "glue:CreateTable",
              "glue:UpdateTable",
              "glue:GetPartition",
              "glue:GetPartitions",
              "glue:BatchGetPartition",
              "glue:CreatePartition",
              "glue:BatchCreatePartition",
              "glue:UpdatePartition",
              "glue:BatchUpdatePartition",
              "glue:CreatePartitionIndex",
              "glue:GetPartitionIndexes",
            ],
            resources: [catalogArn, databaseArn, tablesArn],
          }),
          new PolicyStatement({
            actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [
              `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/crawlers`,
              `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws-glue/crawlers:*`,
            ],
          }),
        ],
      }),
    },
  });

  const crawler = new CfnCrawler(stack, "CuratedCrawler", {
    name: crawlerName,
    description: "tunelake: one table per curated folder, dt partitions; started by the state machine",
    role: role.roleArn,
    databaseName,
    targets: { s3Targets: [{ path: `s3://${props.curated.bucketName}/`, exclusions: CRAWLER_EXCLUSIONS }] },
    // New dt= folders only: a daily crawl stays cheap as the lake grows.
    recrawlPolicy: { recrawlBehavior: "CRAWL_NEW_FOLDERS_ONLY" },
    // Glue requires LOG/LOG with CRAWL_NEW_FOLDERS_ONLY; schema growth is handled by MergeNewColumns above.
    schemaChangePolicy: { updateBehavior: "LOG", deleteBehavior: "LOG" },
    configuration: JSON.stringify(CRAWLER_CONFIGURATION),
  });
  crawler.addDependency(database);

  return {
    database,
    databaseName,
    crawler,
    crawlerName,
    crawlerArn,
    catalogReadArns: [catalogArn, databaseArn, tablesArn],
  };
}
