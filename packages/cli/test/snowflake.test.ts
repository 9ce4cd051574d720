import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { OPTIONAL_STAGE_OUTPUT_KEYS, pipelineStackName, STAGE_OUTPUT_KEYS } from "@tunelake/core/stage-outputs";
import { CATALOG_TABLES } from "@tunelake/core/transform/curated-tables";
import nodeSqlParser from "node-sql-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, tunelake } from "./helpers.ts";

const ROLE_ARN = "arn:aws:iam::123456789012:role/prod-tunelake-snowflake";
const BUCKET = "prod-tunelake-curatedbucket-1a2b3c";

/** The CLI in another directory (where `.sst/outputs.json` of a "deployed" stage lies). */
const tunelakeIn = (cwd: string, args: string[]): Promise<CliResult> => tunelake(args, {}, cwd);

/** The statements of the printed script (comments dropped). */
const statements = (script: string): string[] =>
  script
    .split(/;\n/)
    .map((s) => s.replace(/^--.*$/gm, "").trim())
    .filter((s) => s.length > 0);

describe("tunelake snowflake ddl", () => {
  let dir: string;
  beforeAll(async () => {
    // Prepare: two deployed stages as `sst deploy` records them, one with the Snowflake setting and one without
    dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-snowflake-cli-"));
    await mkdir(path.join(dir, ".sst"));
    const outputs = Object.fromEntries(Object.values(STAGE_OUTPUT_KEYS).map((key) => [key, `value-of-${key}`]));
    await writeFile(
      path.join(dir, ".sst", "outputs.json"),
      JSON.stringify({
        [pipelineStackName("prod")]: {
          ...outputs,
          [STAGE_OUTPUT_KEYS.curatedBucket]: BUCKET,
          [OPTIONAL_STAGE_OUTPUT_KEYS.snowflakeRoleArn]: ROLE_ARN,
        },
        [pipelineStackName("plain")]: { ...outputs, [STAGE_OUTPUT_KEYS.curatedBucket]: BUCKET },
      }),
    );
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints a pipe for every curated table; the statements its grammar covers parse as Snowflake SQL", async () => {
    // Act
    const result = await tunelake(["snowflake", "ddl", "--role-arn", ROLE_ARN, "--bucket", BUCKET]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    const sql = statements(result.stdout);
    for (const table of CATALOG_TABLES) {
      expect(sql).toContainEqual(
        expect.stringMatching(
          new RegExp(`^CREATE PIPE IF NOT EXISTS TUNELAKE\\.CURATED\\.${table.toUpperCase()}_PIPE\\n`),
        ),
      );
    }
    const parser = new nodeSqlParser.Parser();
    const covered = sql.filter((s) => /^CREATE (DATABASE|SCHEMA|OR REPLACE VIEW) /.test(s));
    expect(covered).toHaveLength(2 + CATALOG_TABLES.length);
    for (const s of covered) {
      expect(() => parser.astify(s, { database: "snowflake" }), s.slice(0, 80)).not.toThrow();
    }
    expect(result.stdout).toContain(`STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}'`);
  });

  it("takes the role and the bucket from the stage's outputs with --stage", async () => {
    const result = await tunelakeIn(dir, ["snowflake", "ddl", "--stage", "prod", "--database", "analytics"]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("CREATE STORAGE INTEGRATION IF NOT EXISTS TUNELAKE_PROD_CURATED");
    expect(result.stdout).toContain(`STORAGE_AWS_ROLE_ARN = '${ROLE_ARN}'`);
    expect(result.stdout).toContain(`URL = 's3://${BUCKET}/plays/'`);
    expect(result.stdout).toContain("CREATE TABLE IF NOT EXISTS ANALYTICS.CURATED.PLAYS_LOADS (");
  });

  it("refuses a stage deployed without the Snowflake setting, saying how to turn it on", async () => {
    const result = await tunelakeIn(dir, ["snowflake", "ddl", "--stage", "plain"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("ConfigError");
    expect(result.stderr).toContain("TUNELAKE_SNOWFLAKE=on");
  });

  it("prints placeholders, and says so on stderr, when nothing gives the role and the bucket", async () => {
    const result = await tunelake(["snowflake", "ddl"]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("STORAGE_AWS_ROLE_ARN = '<ROLE_ARN>'");
    expect(result.stdout).toContain("URL = 's3://<CURATED_BUCKET>/artists/'");
    expect(result.stderr).toContain("<ROLE_ARN> is a placeholder");
    expect(result.stderr).toContain("<CURATED_BUCKET> is a placeholder");
  });

  it("prints the statements as JSON with --json", async () => {
    const result = await tunelake(["--json", "snowflake", "ddl", "--bucket", BUCKET]);

    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { statements: { kind: string }[]; placeholders: string[] };
    expect(parsed.statements.filter((s) => s.kind === "pipe")).toHaveLength(CATALOG_TABLES.length);
    expect(parsed.placeholders).toEqual(["roleArn"]);
  });

  it("reload prints a forced COPY of the date's files for every table, and refuses a date that does not exist", async () => {
    const result = await tunelake(["snowflake", "reload", "--date", "2026-11-21", "--schema", "spotify"]);
    const bad = await tunelake(["snowflake", "reload", "--date", "2026-02-30"]);

    expect(result.code, result.stderr).toBe(0);
    const copies = statements(result.stdout);
    expect(copies).toHaveLength(CATALOG_TABLES.length);
    for (const [i, table] of CATALOG_TABLES.entries()) {
      expect(copies[i]).toMatch(new RegExp(`^COPY INTO TUNELAKE\\.SPOTIFY\\.${table.toUpperCase()}_LOADS\\n`));
      expect(copies[i]).toContain("PATTERN = '.*dt=2026-11-21/[^/]*[.]parquet'\n  FORCE = TRUE");
    }
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid run date "2026-02-30"');
  });

  it("exits 2 on a usage error, as the other commands do", async () => {
    const result = await tunelake(["snowflake", "reload"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--date");
  });

  it("refuses a database name Snowflake would need quoted, with exit status 2", async () => {
    const result = await tunelake(["snowflake", "ddl", "--database", "my db"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid Snowflake database "my db"');
  });
});
