/**
 * The Glue Data Catalog side: one database per stage, one table per curated table declared from the code's column
 * definitions (packages/core/src/transform/curated-tables.ts: Parquet, the transform's columns and types, `dt` as a
 * string partition key), and a crawler over those tables (catalog targets) that registers each new `dt` partition.
 *
 * The tables belong to the stack, not to the crawler: a table exists from the first deploy, even on a day with no
 * rows (Athena answers 0 rows, never TABLE_NOT_FOUND), and a column added in code reaches Athena with the next deploy.
 * The crawler never changes a table (`UpdateBehavior` LOG: a file whose schema differs from its table is only logged
 * in CloudWatch, /aws-glue/crawlers) and its partitions take the table's schema (`InheritFromTable`).
 *
 * It crawls in Glue's S3 event mode (packages/core/src/catalog/crawler-settings.ts, docs/deploy.md "Tables and
 * crawler"): the curated bucket notifies an SQS queue of every Parquet file created under a table's prefix, and each
 * crawl after the first lists only the `dt=` folders those events name, so a day's crawl costs the same on day 365 as
 * on day 1.
 */
import { Aws, Duration, type Stack } from "aws-cdk-lib";
import { CfnCrawler, CfnDatabase, CfnTable } from "aws-cdk-lib/aws-glue";
import { type IRole, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnResource as CfnLakeFormationResource, CfnPrincipalPermissions } from "aws-cdk-lib/aws-lakeformation";
import { type Bucket, BucketNotificationDestinationType, EventType } from "aws-cdk-lib/aws-s3";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import {
  CRAWL_EVENT_FILTERS,
  CRAWLER_SETTINGS,
  type CrawlerSettings,
  crawlerSettingsProblems,
} from "../packages/core/src/catalog/crawler-settings.ts";
import { ConfigError } from "../packages/core/src/errors.ts";
import {
  CATALOG_TABLES,
  curatedTable,
  glueType,
  PARTITION_KEY,
} from "../packages/core/src/transform/curated-tables.ts";

/** How Athena reads the curated files: Parquet through the Hive Parquet SerDe. */
export const PARQUET_STORAGE = {
  inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  serdeInfo: {
    serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    parameters: { "serialization.format": "1" },
  },
} as const;

/**
 * Crawler `Configuration`: partitions inherit the declared table's schema. (Grouping and table-level options are for
 * S3 targets, where the crawler makes the tables; with catalog targets the tables are the stack's.)
 */
export const CRAWLER_CONFIGURATION = {
  Version: 1.0,
  CrawlerOutput: { Partitions: { AddOrUpdateBehavior: "InheritFromTable" } },
} as const;

/**
 * The SQS actions Glue's developer guide ("Accelerating crawls using Amazon S3 event notifications") asks of an
 * event-mode crawler's role on its queue. The IAM proof records the ones a daily crawl makes (queue URL and
 * attributes, receive, delete, and purge on the first, listing crawl) and reports the others as unused.
 */
export const CRAWLER_QUEUE_ACTIONS = [
  "sqs:GetQueueUrl",
  "sqs:GetQueueAttributes",
  "sqs:SetQueueAttributes",
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
  "sqs:PurgeQueue",
  "sqs:ListDeadLetterSourceQueues",
  "sqs:ListQueueTags",
] as const;

/**
 * The crawler's settings on a stage. Event mode needs the curated tables' object-created notifications; S3 allows one
 * destination per event type and prefix, so when the opt-in Snowflake feed already sends them to Snowpipe's queue the
 * crawler falls back to crawling everything (docs/deploy.md).
 */
export function stageCrawlerSettings(props: { notificationsTaken: boolean }): CrawlerSettings {
  return props.notificationsTaken
    ? { ...CRAWLER_SETTINGS, recrawlBehavior: "CRAWL_EVERYTHING", eventQueue: false }
    : CRAWLER_SETTINGS;
}

/**
 * AWSGlueServiceRole (the managed policy Glue's docs suggest for crawlers), grant by grant, against this crawler's own
 * policy: what a crawler of catalog targets over S3 Parquet uses is granted, scoped; the rest is not needed.
 */
export const GLUE_SERVICE_ROLE_REVIEW: readonly { managed: string; here: string }[] = [
  { managed: "glue:* on *", here: "only read database/tables and read/create/update partitions, on this database" },
  {
    managed: "s3:GetBucketLocation, s3:ListBucket, s3:ListAllMyBuckets, s3:GetBucketAcl on *",
    here: "s3:GetBucketLocation and s3:ListBucket on the curated bucket; it never lists buckets or reads ACLs",
  },
  {
    managed: "s3:GetObject on aws-glue-* and crawler-public* buckets",
    here: "s3:GetObject on the curated tables' folders",
  },
  {
    managed: "s3:CreateBucket, s3:PutObject, s3:DeleteObject on aws-glue-* buckets",
    here: "not needed: a crawler writes no objects (those are for Glue jobs' scripts and temp files)",
  },
  {
    managed: "logs:CreateLogGroup, CreateLogStream, PutLogEvents on /aws-glue/*",
    here: "the same, on /aws-glue/crawlers only",
  },
  {
    managed: "ec2:Describe*, ec2:CreateNetworkInterface, ec2:CreateTags and friends",
    here: "not needed: no Glue connection, no VPC",
  },
  {
    managed: "iam:ListRolePolicies, iam:GetRole, iam:GetRolePolicy",
    here: "not needed: used by Glue jobs and connections, not by a crawler's run",
  },
  {
    managed: "cloudwatch:PutMetricData on *",
    here: "not granted: Glue's crawler prerequisites ask only for the catalog and the data source; a crawl does not use it",
  },
];

/** The declared table's description for Glue (Glue column comments are at most 255 characters). */
const comment = (text: string) => (text.length > 255 ? `${text.slice(0, 252)}...` : text);

/** A construct id per table: `GlueTablePlaylistItems`. */
const tableId = (name: string) =>
  `GlueTable${name
    .split("_")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("")}`;

export interface LakeCatalog {
  /** The SQS queue the curated bucket's object-created events go to and the crawler consumes (event mode only). */
  eventQueue?: Queue;
  database: CfnDatabase;
  databaseName: string;
  crawler: CfnCrawler;
  crawlerName: string;
  crawlerRole: Role;
  /** The declared tables, by name. */
  tables: Record<string, CfnTable>;
  crawlerArn: string;
  /** ARNs a reader of the curated tables needs on the catalog: the catalog, the database and its tables. */
  catalogReadArns: string[];
}

/** Glue database and names are per stage; Glue names are lowercase with underscores. */
export function glueDatabaseName(stage: string): string {
  return `tunelake_${stage.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
}

/**
 * Creates the database, its declared tables, the crawler and the crawler's role (read curated, add partitions to this
 * database's tables, its own logs), and in event mode the crawler's queue and the curated bucket's notifications to
 * it. Settings Glue would refuse are a ConfigError naming each rule.
 */
export function createLakeCatalog(
  stack: Stack,
  props: { stage: string; curated: Bucket; settings?: CrawlerSettings },
): LakeCatalog {
  const settings = props.settings ?? CRAWLER_SETTINGS;
  // Refused at synth, not by CloudFormation halfway through a deploy.
  const problems = crawlerSettingsProblems(settings);
  if (problems.length > 0) throw new ConfigError({ reason: "crawlerSettings", issues: problems });
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

  // The queue of the curated tables' object-created events. SSE-SQS: S3 can send to it with no key policy (a KMS key
  // would need one for s3.amazonaws.com), and 14 days of retention keep events through failed crawls.
  const eventQueue = settings.eventQueue
    ? new Queue(stack, "CrawlEventQueue", {
        queueName: `${props.stage}-tunelake-crawl-events`,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      })
    : undefined;

  // An inline policy instead of AWSGlueServiceRole, which grants glue:* and s3 on every bucket; see
  // GLUE_SERVICE_ROLE_REVIEW for each of that policy's grants and why this crawler does or does not need it.
  const role = new Role(stack, "CrawlerRole", {
    assumedBy: new ServicePrincipal("glue.amazonaws.com"),
    description: "tunelake crawler: reads the curated bucket, writes tables and partitions of its database",
    inlinePolicies: {
      crawl: new PolicyDocument({
        statements: [
          // The declared tables' folders only (the stats and report folders are not crawled).
          new PolicyStatement({
            actions: ["s3:GetObject"],
            resources: CATALOG_TABLES.map((table) => props.curated.arnForObjects(`${table}/*`)),
          }),
          new PolicyStatement({
            actions: ["s3:ListBucket", "s3:GetBucketLocation"],
            resources: [props.curated.bucketArn],
          }),
          // Tables are the stack's: the crawler reads them and adds or updates partitions, never tables.
          new PolicyStatement({
            actions: [
              "glue:GetDatabase",
              "glue:GetTable",
              "glue:GetTables",
              "glue:GetPartition",
              "glue:GetPartitions",
              "glue:BatchGetPartition",
              "glue:CreatePartition",
              "glue:BatchCreatePartition",
              "glue:UpdatePartition",
              "glue:BatchUpdatePartition",
            ],
            resources: [catalogArn, databaseArn, tablesArn],
          }),
          ...(eventQueue
            ? [new PolicyStatement({ actions: [...CRAWLER_QUEUE_ACTIONS], resources: [eventQueue.queueArn] })]
            : []),
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

  const tables: Record<string, CfnTable> = {};
  for (const name of CATALOG_TABLES) {
    const definition = curatedTable(name);
    const table = new CfnTable(stack, tableId(name), {
      catalogId: Aws.ACCOUNT_ID,
      databaseName,
      tableInput: {
        name,
        description: definition.description,
        tableType: "EXTERNAL_TABLE",
        parameters: { classification: "parquet", EXTERNAL: "TRUE", "parquet.compression": "ZSTD" },
        partitionKeys: [{ name: PARTITION_KEY.name, type: PARTITION_KEY.type, comment: PARTITION_KEY.description }],
        storageDescriptor: {
          columns: definition.columns.map((c) => ({
            name: c.name,
            type: glueType(c.type),
            comment: comment(c.description),
          })),
          location: `s3://${props.curated.bucketName}/${name}/`,
          ...PARQUET_STORAGE,
        },
      },
    });
    table.addDependency(database);
    tables[name] = table;
  }

  const crawler = new CfnCrawler(stack, "CuratedCrawler", {
    name: crawlerName,
    description: "tunelake: registers new dt partitions of the declared curated tables; started by the state machine",
    role: role.roleArn,
    targets: {
      catalogTargets: [
        { databaseName, tables: [...CATALOG_TABLES], ...(eventQueue ? { eventQueueArn: eventQueue.queueArn } : {}) },
      ],
    },
    recrawlPolicy: { recrawlBehavior: settings.recrawlBehavior },
    schemaChangePolicy: { updateBehavior: settings.updateBehavior, deleteBehavior: settings.deleteBehavior },
    configuration: JSON.stringify(CRAWLER_CONFIGURATION),
  });
  for (const table of Object.values(tables)) crawler.addDependency(table);

  if (eventQueue) {
    // Not aws-s3-notifications' SqsDestination: it also lets S3 read the queue's attributes and URL, which S3 does not
    // need to send. S3 checks the destination when the notification is put, so the policy comes first.
    const { policyDependable } = eventQueue.addToResourcePolicy(
      new PolicyStatement({
        sid: "CuratedBucketSendsObjectCreated",
        principals: [new ServicePrincipal("s3.amazonaws.com")],
        actions: ["sqs:SendMessage"],
        resources: [eventQueue.queueArn],
        conditions: {
          ArnEquals: { "aws:SourceArn": props.curated.bucketArn },
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
        },
      }),
    );
    const destination = {
      bind: () => ({
        arn: eventQueue.queueArn,
        type: BucketNotificationDestinationType.QUEUE,
        dependencies: policyDependable ? [policyDependable] : [],
      }),
    };
    for (const { prefix, suffix } of CRAWL_EVENT_FILTERS) {
      props.curated.addEventNotification(EventType.OBJECT_CREATED, destination, { prefix, suffix });
    }
  }

  return {
    ...(eventQueue ? { eventQueue } : {}),
    database,
    databaseName,
    crawler,
    crawlerName,
    crawlerRole: role,
    tables,
    crawlerArn,
    catalogReadArns: [catalogArn, databaseArn, tablesArn],
  };
}

/**
 * Lake Formation (opt-in, for accounts whose Data Catalog Lake Formation governs): registers the curated bucket,
 * grants the crawler role data-location access and DESCRIBE/SELECT/ALTER on the tables (it adds partitions), grants
 * the readers (the state machine role, which runs Validate on Athena) DESCRIBE/SELECT, and lets every one of them
 * call `lakeformation:GetDataAccess`, the credential vending that Athena and Glue use under Lake Formation.
 */
export function grantLakeFormation(
  stack: Stack,
  props: { catalog: LakeCatalog; curated: Bucket; readers: readonly IRole[] },
): void {
  const { catalog } = props;
  const location = new CfnLakeFormationResource(stack, "LakeFormationCuratedLocation", {
    resourceArn: props.curated.bucketArn,
    useServiceLinkedRole: true,
  });
  const tables = { catalogId: Aws.ACCOUNT_ID, databaseName: catalog.databaseName, tableWildcard: {} };
  const grant = (
    id: string,
    principal: string,
    resource: CfnPrincipalPermissions.ResourceProperty,
    permissions: string[],
  ) => {
    const permission = new CfnPrincipalPermissions(stack, id, {
      principal: { dataLakePrincipalIdentifier: principal },
      resource,
      permissions,
      permissionsWithGrantOption: [],
    });
    permission.addDependency(catalog.database);
    for (const table of Object.values(catalog.tables)) permission.addDependency(table);
    return permission;
  };
  const crawlerRoleArn = catalog.crawlerRole.roleArn;
  grant(
    "LakeFormationCrawlerLocation",
    crawlerRoleArn,
    { dataLocation: { catalogId: Aws.ACCOUNT_ID, resourceArn: props.curated.bucketArn } },
    ["DATA_LOCATION_ACCESS"],
  ).addDependency(location);
  grant(
    "LakeFormationCrawlerDatabase",
    crawlerRoleArn,
    { database: { catalogId: Aws.ACCOUNT_ID, name: catalog.databaseName } },
    ["DESCRIBE"],
  );
  grant("LakeFormationCrawlerTables", crawlerRoleArn, { table: tables }, ["DESCRIBE", "SELECT", "ALTER"]);
  const getDataAccess = new PolicyStatement({ actions: ["lakeformation:GetDataAccess"], resources: ["*"] });
  catalog.crawlerRole.addToPrincipalPolicy(getDataAccess);
  props.readers.forEach((reader, i) => {
    grant(
      `LakeFormationReader${i}Database`,
      reader.roleArn,
      { database: { catalogId: Aws.ACCOUNT_ID, name: catalog.databaseName } },
      ["DESCRIBE"],
    );
    grant(`LakeFormationReader${i}Tables`, reader.roleArn, { table: tables }, ["DESCRIBE", "SELECT"]);
    reader.addToPrincipalPolicy(getDataAccess);
  });
}
