/**
 * The Snowflake SQL that loads the curated zone with Snowpipe (docs/snowflake.md): a storage integration that assumes
 * the stack's Snowflake role, a Parquet file format, and per curated table (and `table_stats`) an external stage on
 * its prefix, a table that keeps every load, a view that keeps each row of the newest version of each file once, and
 * an auto-ingest pipe; and the forced reload of a rerun date (Snowpipe skips a file name it loaded in the last 14
 * days). Columns and types come from the curated table definitions, the same ones the transform and Glue tables use.
 *
 * Why the pipe does not compute `dt` in the COPY: Snowflake refuses MATCH_BY_COLUMN_NAME together with a COPY
 * transformation (a SELECT), so the pipe loads by column name and records the file's path, last-modified time and row
 * number with INCLUDE_METADATA; `DT` is a virtual column of the table computed from that path (`<table>/dt=<date>/...`).
 */
import { ConfigError } from "../errors.ts";
import { assertRunDate } from "../lake.ts";
import { CATALOG_TABLES, type CatalogTableName, type ColumnType, curatedTable } from "../transform/curated-tables.ts";

/**
 * The Snowflake type of each logical column type, chosen for the Parquet type the transform writes (checked against
 * real files in the tests): INT32 -> NUMBER(10,0) and INT64 -> NUMBER(19,0) hold every value of their width; DuckDB's
 * TIMESTAMP is written as a Parquet timestamp not adjusted to UTC (UTC wall time), hence TIMESTAMP_NTZ; a Parquet
 * LIST loads into a semi-structured ARRAY.
 */
export const SNOWFLAKE_TYPES = {
  string: "VARCHAR",
  int: "NUMBER(10,0)",
  bigint: "NUMBER(19,0)",
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP_NTZ",
  "array<string>": "ARRAY",
} as const satisfies Record<ColumnType, string>;

/** The Snowflake type of a curated column type. */
export function snowflakeType(type: ColumnType): string {
  return SNOWFLAKE_TYPES[type];
}

/** Printed in place of values that only a deployed stage knows, when neither `--stage` nor a flag gives them. */
export const PLACEHOLDERS = { roleArn: "<ROLE_ARN>", bucket: "<CURATED_BUCKET>" } as const;

/** Columns every load table has besides the curated ones: what INCLUDE_METADATA records, and the derived `DT`. */
export const LOAD_COLUMNS = {
  sourceFile: { name: "_SOURCE_FILE", type: "VARCHAR", metadata: "METADATA$FILENAME" },
  fileLastModified: { name: "_FILE_LAST_MODIFIED", type: "TIMESTAMP_NTZ", metadata: "METADATA$FILE_LAST_MODIFIED" },
  fileRowNumber: { name: "_FILE_ROW_NUMBER", type: "NUMBER(19,0)", metadata: "METADATA$FILE_ROW_NUMBER" },
} as const;

/** The path part Snowflake gives as METADATA$FILENAME holds `dt=<YYYY-MM-DD>/`; the virtual `DT` column extracts it. */
export const DT_EXPRESSION = `REGEXP_SUBSTR("${LOAD_COLUMNS.sourceFile.name}", 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})/', 1, 1, 'e')`;

/** The files a pipe loads: the curated layout's `dt=<date>/<part>.parquet` under its table's stage. */
export const PIPE_PATTERN = ".*dt=[0-9]{4}-[0-9]{2}-[0-9]{2}/[^/]*[.]parquet";

export interface SnowflakeDdlOptions {
  /** Snowflake database (created if missing). Default `TUNELAKE`. */
  database?: string;
  /** Schema in that database (created if missing). Default `CURATED`. */
  schema?: string;
  /** The deployed stage, for the integration's name (`TUNELAKE_<STAGE>_CURATED`). */
  stage?: string;
  /** The stack's Snowflake role (output `SnowflakeRoleArn`); a placeholder when absent. */
  roleArn?: string;
  /** The curated bucket (output `CuratedBucketName`); a placeholder when absent. */
  bucket?: string;
}

export type SnowflakeObjectKind =
  | "database"
  | "schema"
  | "integration"
  | "file-format"
  | "stage"
  | "table"
  | "view"
  | "pipe";

/** One statement of the script, with what it creates (tests check each kind with the right tool). */
export interface SnowflakeStatement {
  kind: SnowflakeObjectKind;
  /** Fully qualified object name as written in the SQL. */
  object: string;
  /** The curated table it belongs to, for stage, table, view and pipe. */
  table?: CatalogTableName;
  /** The statement without its terminating semicolon. */
  sql: string;
}

export interface SnowflakeDdl {
  statements: SnowflakeStatement[];
  /** Names of the objects, for the docs' follow-up commands (DESC INTEGRATION, SHOW PIPES). */
  names: { database: string; schema: string; integration: string; fileFormat: string };
  /** Which values are placeholders that must be replaced before running the script. */
  placeholders: (keyof typeof PLACEHOLDERS)[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An unquoted Snowflake identifier, upper-cased as Snowflake stores unquoted names. */
function identifier(what: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw new ConfigError({ reason: "snowflakeIdentifier", what, value });
  }
  return value.toUpperCase();
}

/** A column name: quoted, upper-case, so it equals the unquoted name and never collides with a keyword. */
const column = (name: string): string => `"${name.toUpperCase()}"`;
/**
 * A Snowflake string literal. Not sql-quote.ts's `sqlString`: in Snowflake a backslash escapes inside a string, so it
 * is doubled too, which DuckDB and Athena would keep as two backslashes.
 */
const literal = (value: string): string => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Generates the statements, in the order they must run. */
export function snowflakeDdl(options: SnowflakeDdlOptions = {}): SnowflakeDdl {
  const database = identifier("database", options.database ?? "TUNELAKE");
  const schema = identifier("schema", options.schema ?? "CURATED");
  const integration = options.stage
    ? `TUNELAKE_${options.stage.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}_CURATED`
    : "TUNELAKE_CURATED";
  if (options.roleArn !== undefined && !ROLE_ARN.test(options.roleArn)) {
    throw new ConfigError({ reason: "roleArn", value: options.roleArn });
  }
  if (options.bucket !== undefined && !BUCKET.test(options.bucket)) {
    throw new ConfigError({ reason: "bucketName", value: options.bucket });
  }
  const placeholders: (keyof typeof PLACEHOLDERS)[] = [];
  if (options.roleArn === undefined) placeholders.push("roleArn");
  if (options.bucket === undefined) placeholders.push("bucket");
  const roleArn = options.roleArn ?? PLACEHOLDERS.roleArn;
  const bucket = options.bucket ?? PLACEHOLDERS.bucket;

  const qualified = (name: string) => `${database}.${schema}.${name}`;
  const fileFormat = qualified("TUNELAKE_PARQUET");
  const names = { database, schema, integration, fileFormat };
  const location = (table: string) => `s3://${bucket}/${table}/`;

  const statements: SnowflakeStatement[] = [
    { kind: "database", object: database, sql: `CREATE DATABASE IF NOT EXISTS ${database}` },
    { kind: "schema", object: `${database}.${schema}`, sql: `CREATE SCHEMA IF NOT EXISTS ${database}.${schema}` },
    {
      kind: "integration",
      object: integration,
      // IF NOT EXISTS, never OR REPLACE: a replaced integration gets a new external id and the role stops trusting it.
      sql: [
        `CREATE STORAGE INTEGRATION IF NOT EXISTS ${integration}`,
        "  TYPE = EXTERNAL_STAGE",
        "  STORAGE_PROVIDER = 'S3'",
        "  ENABLED = TRUE",
        `  STORAGE_AWS_ROLE_ARN = ${literal(roleArn)}`,
        `  STORAGE_ALLOWED_LOCATIONS = (${CATALOG_TABLES.map((t) => literal(location(t))).join(", ")})`,
        `  COMMENT = 'tunelake curated zone, read-only (docs/snowflake.md)'`,
      ].join("\n"),
    },
    {
      kind: "file-format",
      object: fileFormat,
      sql: [
        `CREATE FILE FORMAT IF NOT EXISTS ${fileFormat}`,
        "  TYPE = PARQUET",
        // DATE and TIMESTAMP columns arrive as their Parquet logical types, not as plain integers.
        "  USE_LOGICAL_TYPE = TRUE",
        "  BINARY_AS_TEXT = TRUE",
        `  COMMENT = 'tunelake curated Parquet (ZSTD)'`,
      ].join("\n"),
    },
  ];

  for (const table of CATALOG_TABLES) {
    const def = curatedTable(table);
    const { stage, loads, view, pipe } = tableObjects(names, table);
    const columns = def.columns.map((c) => `  ${column(c.name)} ${snowflakeType(c.type)}`);
    const { sourceFile, fileLastModified, fileRowNumber } = LOAD_COLUMNS;
    statements.push(
      {
        kind: "stage",
        object: stage,
        table,
        sql: [
          `CREATE STAGE IF NOT EXISTS ${stage}`,
          `  URL = ${literal(location(table))}`,
          `  STORAGE_INTEGRATION = ${integration}`,
          `  FILE_FORMAT = (FORMAT_NAME = ${literal(fileFormat)})`,
        ].join("\n"),
      },
      {
        kind: "table",
        object: loads,
        table,
        sql: [
          `CREATE TABLE IF NOT EXISTS ${loads} (`,
          [
            ...columns,
            `  "${sourceFile.name}" ${sourceFile.type}`,
            `  "${fileLastModified.name}" ${fileLastModified.type}`,
            `  "${fileRowNumber.name}" ${fileRowNumber.type}`,
            `  "DT" VARCHAR(10) AS (${DT_EXPRESSION})`,
          ].join(",\n"),
          `) COMMENT = ${literal(`Every Snowpipe load of curated ${table}, reruns included; query the view ${view}`)}`,
        ].join("\n"),
      },
      {
        kind: "view",
        object: view,
        table,
        // A rerun of a date rewrites that date's files (same keys, newer last-modified); a file can also be loaded
        // twice (Snowpipe after 14 days, or a forced reload next to it). Only the newest version of each file counts,
        // each of its rows once.
        sql: [
          `CREATE OR REPLACE VIEW ${view} AS`,
          `SELECT ${[...def.columns.map((c) => column(c.name)), '"DT"'].join(", ")}`,
          `FROM ${loads}`,
          `QUALIFY "${fileLastModified.name}" = MAX("${fileLastModified.name}") OVER (PARTITION BY "${sourceFile.name}")`,
          `  AND ROW_NUMBER() OVER (PARTITION BY "${sourceFile.name}", "${fileLastModified.name}", "${fileRowNumber.name}" ORDER BY "${fileRowNumber.name}") = 1`,
        ].join("\n"),
      },
      {
        kind: "pipe",
        object: pipe,
        table,
        sql: [
          `CREATE PIPE IF NOT EXISTS ${pipe}`,
          "  AUTO_INGEST = TRUE",
          `  COMMENT = ${literal(`Loads new ${table} files from S3 event notifications`)}`,
          "AS",
          copyInto(names, table, PIPE_PATTERN),
        ].join("\n"),
      },
    );
  }
  return { statements, names, placeholders };
}

/** The Snowflake objects of one curated table: its stage, load table, view (named as the table) and pipe. */
function tableObjects(names: SnowflakeDdl["names"], table: string) {
  const qualified = (suffix: string) => `${names.database}.${names.schema}.${table.toUpperCase()}${suffix}`;
  return { stage: qualified("_STAGE"), loads: qualified("_LOADS"), view: qualified(""), pipe: qualified("_PIPE") };
}

/** The COPY of one table's stage into its load table: the pipe's, and the forced reload's. */
function copyInto(names: SnowflakeDdl["names"], table: string, pattern: string, force = false): string {
  const { stage, loads } = tableObjects(names, table);
  const metadata = Object.values(LOAD_COLUMNS).map((c) => `${c.name} = ${c.metadata}`);
  return [
    `COPY INTO ${loads}`,
    `  FROM @${stage}`,
    `  FILE_FORMAT = (FORMAT_NAME = ${literal(names.fileFormat)})`,
    "  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE",
    `  INCLUDE_METADATA = (${metadata.join(", ")})`,
    `  PATTERN = ${literal(pattern)}`,
    ...(force ? ["  FORCE = TRUE"] : []),
  ].join("\n");
}

/**
 * After a rerun of a date: Snowpipe ignores a file whose name it loaded in the last 14 days even when its content
 * changed, so the rewritten files are loaded with a forced COPY per table (run on a warehouse). The view then shows
 * only the new version; running it twice is harmless.
 */
export function snowflakeReload(date: string, options: Omit<SnowflakeDdlOptions, "roleArn" | "bucket"> = {}): string {
  const { names } = snowflakeDdl(options);
  const day = assertRunDate(date);
  const copies = CATALOG_TABLES.map((t) => `${copyInto(names, t, `.*dt=${day}/[^/]*[.]parquet`, true)};\n`);
  return `${[`-- tunelake: reload ${day} into Snowflake after a rerun of that date (docs/snowflake.md).`, "", ...copies].join("\n")}`;
}

/** The whole script as `tunelake snowflake ddl` prints it: a header, the statements, then the follow-up steps. */
export function snowflakeScript(ddl: SnowflakeDdl): string {
  const header = [
    "-- tunelake: Snowpipe from the curated zone (docs/snowflake.md). Run as a role that may create integrations",
    "-- (ACCOUNTADMIN, or one granted CREATE INTEGRATION) with a warehouse in use.",
    ...ddl.placeholders.map(
      (p) => `-- REPLACE ${PLACEHOLDERS[p]} before running (or pass --stage, --${p === "roleArn" ? "role-arn" : p}).`,
    ),
  ];
  const footer = [
    "-- Next (docs/snowflake.md):",
    `--   DESC INTEGRATION ${ddl.names.integration};  -- STORAGE_AWS_IAM_USER_ARN, STORAGE_AWS_EXTERNAL_ID`,
    `--   SHOW PIPES IN SCHEMA ${ddl.names.database}.${ddl.names.schema};  -- notification_channel: the SQS queue ARN`,
    "--   then deploy again with TUNELAKE_SNOWFLAKE_IAM_USER_ARN, TUNELAKE_SNOWFLAKE_EXTERNAL_ID, TUNELAKE_SNOWFLAKE_SQS_ARN.",
    `--   Files written before the notifications existed: ALTER PIPE <table>_PIPE REFRESH; (last 7 days).`,
  ];
  return `${[...header, "", ...ddl.statements.map((s) => `${s.sql};\n`), ...footer].join("\n")}\n`;
}
