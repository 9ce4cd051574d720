import { rm } from "node:fs/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import nodeSqlParser from "node-sql-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, InputError } from "../../src/errors.ts";
import {
  COLUMN_STATS,
  columnStatsKey,
  curatedKey,
  TABLE_STATS,
  tableStatsKey,
  transformReportKey,
} from "../../src/lake.ts";
import {
  DT_EXPRESSION,
  LOAD_COLUMNS,
  PIPE_PATTERN,
  PLACEHOLDERS,
  SNOWFLAKE_TYPES,
  type SnowflakeStatement,
  snowflakeDdl,
  snowflakeReload,
  snowflakeScript,
} from "../../src/snowflake/ddl.ts";
import type { FsObjectStore } from "../../src/storage/fs-store.ts";
import { CATALOG_TABLES, COLUMN_TYPES, curatedTable } from "../../src/transform/curated-tables.ts";
import { transformFixturesIntoTempLake } from "../transform/fixture-lake.ts";

const OPTIONS = {
  stage: "prod",
  bucket: "prod-tunelake-curatedbucket-1a2b3c",
  roleArn: "arn:aws:iam::123456789012:role/prod-tunelake-snowflake",
};
const ddl = snowflakeDdl(OPTIONS);
const ofKind = (kind: SnowflakeStatement["kind"]) => ddl.statements.filter((s) => s.kind === kind);
const one = (kind: SnowflakeStatement["kind"], table?: string) => {
  const found = ddl.statements.filter((s) => s.kind === kind && s.table === table);
  expect(found, `${kind} ${table}`).toHaveLength(1);
  return found[0] as SnowflakeStatement;
};

const parser = new nodeSqlParser.Parser();
/** Parses with node-sql-parser's Snowflake grammar; on failure, only the start of its (huge) message. */
function parseSnowflake(sql: string): void {
  try {
    parser.astify(sql, { database: "snowflake" });
  } catch (error) {
    throw new Error(`Snowflake grammar refused: ${String((error as Error).message).slice(0, 300)}\n${sql}`);
  }
}

/** The statements of a printed script, comments dropped. */
const statementsOf = (script: string): string[] =>
  script
    .split(/;\n/)
    .map((s) => s.replace(/^--.*$/gm, "").trim())
    .filter((s) => s.length > 0);

/** `"COL" TYPE` lines of a load table, in order (the virtual DT column excluded). */
function tableColumns(sql: string): [string, string][] {
  return [...sql.matchAll(/^ {2}"([A-Z0-9_]+)" ([A-Z_]+(?:\(\d+,\d+\))?),?$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]);
}

describe("the Snowflake grammar (node-sql-parser 5.4.0, dialect snowflake) accepts", () => {
  it.each([...ofKind("database"), ...ofKind("schema"), ...ofKind("view")].map((s) => [s.kind, s.object, s.sql]))(
    "%s %s as generated",
    (_kind, _object, sql) => {
      parseSnowflake(sql);
    },
  );

  // The grammar lacks two things these tables use: the ARRAY type and virtual columns (`AS (expr)`). Exactly those
  // are swapped out and each is checked another way; everything else in the statement is parsed as generated.
  it.each(ofKind("table").map((s) => [s.object, s.sql]))(
    "table %s, with ARRAY swapped for JSON and the virtual DT column parsed as a SELECT of its expression",
    (_object, sql) => {
      // Prepare
      const arrays = tableColumns(sql).filter(([, type]) => type === "ARRAY").length;
      const virtual = `,\n  "DT" VARCHAR(10) AS (${DT_EXPRESSION})`;
      expect(sql.split(virtual)).toHaveLength(2);
      const standIn = sql.replace(virtual, "").replaceAll(/ ARRAY(,?)$/gm, " JSON$1");
      expect(standIn.split(" JSON").length - 1).toBe(arrays);

      // Assess
      parseSnowflake(standIn);
      parseSnowflake(`SELECT ${DT_EXPRESSION} AS "DT" FROM t`);
    },
  );

  it("and refuses what it does not cover, so those statements are checked structurally below", () => {
    for (const kind of ["integration", "file-format", "stage", "pipe"] as const) {
      for (const s of ofKind(kind)) expect(() => parseSnowflake(s.sql), s.object).toThrow(/grammar refused/);
    }
  });
});

describe("statements the grammar does not cover, checked against Snowflake's documented syntax", () => {
  it("the integration assumes the role and allows exactly the curated tables' prefixes", () => {
    const [integration] = ofKind("integration") as [SnowflakeStatement];
    expect(integration.sql).toMatch(/^CREATE STORAGE INTEGRATION IF NOT EXISTS TUNELAKE_PROD_CURATED\n/);
    expect(integration.sql).toContain("  TYPE = EXTERNAL_STAGE\n  STORAGE_PROVIDER = 'S3'\n  ENABLED = TRUE\n");
    expect(integration.sql).toContain(`  STORAGE_AWS_ROLE_ARN = '${OPTIONS.roleArn}'\n`);
    const allowed = integration.sql.match(/STORAGE_ALLOWED_LOCATIONS = \(([^)]*)\)/)?.[1];
    expect(allowed?.split(", ")).toEqual(CATALOG_TABLES.map((t) => `'s3://${OPTIONS.bucket}/${t}/'`));
  });

  it("the file format reads Parquet with its logical types", () => {
    const [format] = ofKind("file-format") as [SnowflakeStatement];
    expect(format.sql).toMatch(
      /^CREATE FILE FORMAT IF NOT EXISTS TUNELAKE\.CURATED\.TUNELAKE_PARQUET\n {2}TYPE = PARQUET\n/,
    );
    expect(format.sql).toContain("USE_LOGICAL_TYPE = TRUE");
  });

  it.each(CATALOG_TABLES)("%s: its stage is on its prefix, through the integration, with the file format", (table) => {
    const stage = one("stage", table);
    expect(stage.sql).toBe(
      [
        `CREATE STAGE IF NOT EXISTS TUNELAKE.CURATED.${table.toUpperCase()}_STAGE`,
        `  URL = 's3://${OPTIONS.bucket}/${table}/'`,
        "  STORAGE_INTEGRATION = TUNELAKE_PROD_CURATED",
        "  FILE_FORMAT = (FORMAT_NAME = 'TUNELAKE.CURATED.TUNELAKE_PARQUET')",
      ].join("\n"),
    );
  });

  it.each(CATALOG_TABLES)("%s: its pipe auto-ingests its stage into its load table by column name", (table) => {
    // Prepare
    const pipe = one("pipe", table);
    const loads = one("table", table);
    const [head, copy] = pipe.sql.split("\nAS\n") as [string, string];
    const names = tableColumns(loads.sql).map(([name]) => name);

    // Assess: CREATE PIPE ... AUTO_INGEST = TRUE AS <copy>, and a COPY without a transformation (Snowflake refuses
    // MATCH_BY_COLUMN_NAME with a SELECT)
    expect(head).toMatch(new RegExp(`^CREATE PIPE IF NOT EXISTS ${pipe.object}\\n {2}AUTO_INGEST = TRUE\\n`));
    expect(copy.split("\n")[0]).toBe(`COPY INTO ${loads.object}`);
    expect(copy).toContain(`\n  FROM @${one("stage", table).object}\n`);
    expect(copy).not.toMatch(/SELECT/i);
    expect(copy).toContain("MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE");
    const metadata = copy.match(/INCLUDE_METADATA = \((.*)\)/)?.[1]?.split(", ") ?? [];
    expect(metadata).toEqual([
      `${LOAD_COLUMNS.sourceFile.name} = METADATA$FILENAME`,
      `${LOAD_COLUMNS.fileLastModified.name} = METADATA$FILE_LAST_MODIFIED`,
      `${LOAD_COLUMNS.fileRowNumber.name} = METADATA$FILE_ROW_NUMBER`,
    ]);
    for (const m of metadata) expect(names).toContain(m.split(" = ")[0]);
    expect(copy).toContain(`PATTERN = '${PIPE_PATTERN}'`);
  });

  it("the pipe pattern matches the curated files, with or without the stage's prefix, and nothing else", () => {
    const pattern = new RegExp(`^${PIPE_PATTERN}$`);
    const date = "2026-11-20";
    const files = [curatedKey("artists", date), curatedKey("album_artists", date), tableStatsKey(date, "user")];
    for (const key of files) {
      expect(pattern.test(key), key).toBe(true);
      expect(pattern.test(key.slice(key.indexOf("/") + 1)), key).toBe(true);
    }
    for (const other of [
      transformReportKey(date, "artists"),
      `artists/dt=${date}/part-00000.parquet.tmp`,
      `x/dt=11/a.parquet`,
    ]) {
      expect(pattern.test(other), other).toBe(false);
    }
  });
});

describe("the duplicate-free design for reruns", () => {
  it.each(CATALOG_TABLES)("%s: the view keeps the newest load of each file and exposes dt", (table) => {
    const view = one("view", table);
    const columns = curatedTable(table).columns.map((c) => `"${c.name.toUpperCase()}"`);
    expect(view.object).toBe(`TUNELAKE.CURATED.${table.toUpperCase()}`);
    expect(view.sql).toContain(`SELECT ${[...columns, '"DT"'].join(", ")}\nFROM ${one("table", table).object}\n`);
    expect(view.sql).toContain(
      'QUALIFY "_FILE_LAST_MODIFIED" = MAX("_FILE_LAST_MODIFIED") OVER (PARTITION BY "_SOURCE_FILE")',
    );
  });

  it("the view, run by DuckDB, shows each row of the newest version of each file once, whatever was loaded", async () => {
    // Prepare: album_artists' load table in DuckDB (same columns; DT a generated column with DuckDB's regexp_extract),
    // then the loads Snowflake can end up with: a first load, the same file loaded twice, a rerun's new version of
    // the file (fewer rows) loaded twice, and another date
    const duck = await DuckDBInstance.create(":memory:");
    const db = await duck.connect();
    try {
      const pattern = DT_EXPRESSION.match(/'([^']+)'/)?.[1];
      const columns = curatedTable("album_artists").columns.map(
        (c) => `"${c.name.toUpperCase()}" ${COLUMN_TYPES[c.type].duckdb}`,
      );
      await db.run(`ATTACH ':memory:' AS tunelake; CREATE SCHEMA tunelake.curated;
        CREATE TABLE tunelake.curated.album_artists_loads (${columns.join(", ")}, "_SOURCE_FILE" VARCHAR,
          "_FILE_LAST_MODIFIED" TIMESTAMP, "_FILE_ROW_NUMBER" BIGINT,
          "DT" VARCHAR AS (regexp_extract("_SOURCE_FILE", '${pattern}', 1)))`);
      const load = (file: string, modified: string, rows: [string, number][]) =>
        db.run(
          `INSERT INTO tunelake.curated.album_artists_loads ("ALBUM_ID", "ARTIST_ID", "ARTIST_POSITION", "_SOURCE_FILE", "_FILE_LAST_MODIFIED", "_FILE_ROW_NUMBER") VALUES ${rows
            .map(
              ([artist, position], i) =>
                `('al', '${artist}', ${position}, '${file}', TIMESTAMP '${modified}', ${i + 1})`,
            )
            .join(", ")}`,
        );
      const day1 = curatedKey("album_artists", "2026-11-20");
      const day2 = "dt=2026-11-21/part-00000.parquet"; // as METADATA$FILENAME gives it relative to the stage
      const v1: [string, number][] = [
        ["a", 0],
        ["b", 1],
        ["c", 2],
      ];
      const v2: [string, number][] = [
        ["a", 0],
        ["d", 1],
      ];
      await load(day1, "2026-11-20 06:10:00", v1);
      await load(day1, "2026-11-20 06:10:00", v1);
      await load(day2, "2026-11-21 06:10:00", [
        ["x", 0],
        ["y", 1],
      ]);
      await load(day1, "2026-11-22 09:00:00", v2);
      await load(day1, "2026-11-22 09:00:00", v2);

      // Act
      await db.run(one("view", "album_artists").sql);
      const rows = (
        await db.runAndReadAll(
          'SELECT "DT" AS dt, "ARTIST_ID" AS artist FROM tunelake.curated.album_artists ORDER BY 1, 2',
        )
      ).getRowObjectsJson();

      // Assess
      expect(rows).toEqual([
        { dt: "2026-11-20", artist: "a" },
        { dt: "2026-11-20", artist: "d" },
        { dt: "2026-11-21", artist: "x" },
        { dt: "2026-11-21", artist: "y" },
      ]);
    } finally {
      db.closeSync();
      duck.closeSync();
    }
  });

  it("reloads a rerun date with a forced COPY per table, limited to that date's files", () => {
    // Act
    const reload = snowflakeReload("2026-11-21", { database: "analytics" });
    const copies = statementsOf(reload);

    // Assess
    expect(copies).toHaveLength(CATALOG_TABLES.length);
    for (const [i, table] of CATALOG_TABLES.entries()) {
      const copy = copies[i] ?? "";
      const pipeCopy = one("pipe", table).sql.split("\nAS\n")[1] ?? "";
      expect(copy.split("\n")[0]).toBe(`COPY INTO ANALYTICS.CURATED.${table.toUpperCase()}_LOADS`);
      expect(copy).toMatch(/\n {2}FORCE = TRUE$/);
      // the pipe's COPY (names aside) with the date's pattern and FORCE
      const same = (sql: string) => sql.replaceAll("ANALYTICS.", "TUNELAKE.").replace(/\n {2}PATTERN = .*/s, "");
      expect(same(copy)).toBe(same(pipeCopy));
      const pattern = new RegExp(`^${copy.match(/PATTERN = '([^']+)'/)?.[1]}$`);
      expect(pattern.test(curatedKey("plays", "2026-11-21"))).toBe(true);
      expect(pattern.test(curatedKey("plays", "2026-11-20"))).toBe(false);
    }
    expect(() => snowflakeReload("2026-02-30")).toThrow(InputError);
  });

  it("extracts dt from the file path the way the view and the table need it", async () => {
    // Assess with DuckDB's regexp_extract, which implements the same group extraction as REGEXP_SUBSTR(..., 'e')
    const duck = await DuckDBInstance.create(":memory:");
    const db = await duck.connect();
    try {
      const pattern = DT_EXPRESSION.match(/'([^']+)'/)?.[1];
      const rows = await db.runAndReadAll(
        `SELECT regexp_extract('${curatedKey("plays", "2026-11-21")}', '${pattern}', 1) AS full_path, regexp_extract('dt=2026-11-21/part-00000.parquet', '${pattern}', 1) AS relative`,
      );
      expect(rows.getRowObjectsJson()).toEqual([{ full_path: "2026-11-21", relative: "2026-11-21" }]);
    } finally {
      db.closeSync();
      duck.closeSync();
    }
  });

  it("creates tables, stages, pipes and the integration only if missing, so running the script again loses nothing", () => {
    for (const s of ddl.statements) {
      if (s.kind === "view") expect(s.sql).toMatch(/^CREATE OR REPLACE VIEW /);
      else expect(s.sql).toMatch(/^CREATE [A-Z ]+ IF NOT EXISTS /);
    }
  });
});

describe("the script", () => {
  it("has, in order, the database, schema, integration and file format, then a stage, table, view and pipe per table", () => {
    expect(ddl.statements.slice(0, 8).map((s) => `${s.kind} ${s.object}`)).toMatchInlineSnapshot(`
      [
        "database TUNELAKE",
        "schema TUNELAKE.CURATED",
        "integration TUNELAKE_PROD_CURATED",
        "file-format TUNELAKE.CURATED.TUNELAKE_PARQUET",
        "stage TUNELAKE.CURATED.ARTISTS_STAGE",
        "table TUNELAKE.CURATED.ARTISTS_LOADS",
        "view TUNELAKE.CURATED.ARTISTS",
        "pipe TUNELAKE.CURATED.ARTISTS_PIPE",
      ]
    `);
    expect(ddl.statements).toHaveLength(4 + 4 * CATALOG_TABLES.length);
    expect(ddl.statements.filter((s) => s.kind === "pipe").map((s) => s.table)).toEqual([...CATALOG_TABLES]);
    expect(ddl.placeholders).toEqual([]);
  });

  it("prints the same SQL as before (snapshot)", () => {
    expect(snowflakeScript(ddl)).toMatchSnapshot();
  });

  it("marks the values only a deployed stage knows as placeholders when they are not given", () => {
    const bare = snowflakeDdl();
    expect(bare.placeholders).toEqual(["roleArn", "bucket"]);
    const script = snowflakeScript(bare);
    expect(script).toContain(`STORAGE_AWS_ROLE_ARN = '${PLACEHOLDERS.roleArn}'`);
    expect(script).toContain(`URL = 's3://${PLACEHOLDERS.bucket}/artists/'`);
    expect(script).toContain(`-- REPLACE ${PLACEHOLDERS.roleArn}`);
    expect(bare.names.integration).toBe("TUNELAKE_CURATED");
  });

  it.each([
    ["a database with a space", { database: "my db" }, "database"],
    ["a schema with a quote", { schema: 'a"b' }, "schema"],
    ["an ARN that is not a role", { roleArn: "arn:aws:iam::123456789012:user/x" }, "role ARN"],
    ["a bucket given as a URL", { bucket: "s3://bucket" }, "bucket"],
  ])("refuses %s with a ConfigError", (_case, options, text) => {
    expect(() => snowflakeDdl(options)).toThrow(ConfigError);
    expect(() => snowflakeDdl(options)).toThrow(text);
  });
});

/**
 * The Snowflake type a Parquet column loads as, from Snowflake's Parquet type mapping, written independently of
 * SNOWFLAKE_TYPES: the physical type plus its converted / logical annotation.
 */
function snowflakeTypeForParquet(node: ParquetNode): string {
  if (node.converted_type === "LIST") return "ARRAY";
  if (node.type === "BYTE_ARRAY" && node.converted_type === "UTF8") return "VARCHAR";
  if (node.type === "BOOLEAN") return "BOOLEAN";
  if (node.type === "INT32" && node.converted_type === "DATE") return "DATE";
  if (node.type === "INT32") return "NUMBER(10,0)"; // every signed 32-bit value has at most 10 digits
  if (node.type === "INT64" && /^TIMESTAMP_(MICROS|MILLIS)$/.test(node.converted_type ?? "")) {
    return /isAdjustedToUTC=(0|false)/.test(node.logical_type ?? "") ? "TIMESTAMP_NTZ" : "TIMESTAMP_LTZ";
  }
  if (node.type === "INT64") return "NUMBER(19,0)"; // at most 19 digits
  throw new Error(`no mapping for Parquet column ${JSON.stringify(node)}`);
}

interface ParquetNode {
  name: string;
  type: string | null;
  num_children: string | null;
  converted_type: string | null;
  logical_type: string | null;
}

describe("column types against the Parquet files the transform writes", () => {
  const DATE = "2026-11-20";
  let dir: string;
  let curated: FsObjectStore;
  let duck: DuckDBInstance;
  let db: DuckDBConnection;

  beforeAll(async () => {
    // Prepare: the transform over the fixture raw zone, as the curated-tables test runs it
    ({ dir, curated } = await transformFixturesIntoTempLake(DATE, "tunelake-snowflake-ddl-"));
    duck = await DuckDBInstance.create(":memory:");
    db = await duck.connect();
  });
  afterAll(async () => {
    db?.closeSync();
    duck?.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  /** The top-level columns of a Parquet file (nested LIST children skipped), from DuckDB's parquet_schema. */
  async function parquetColumns(file: string): Promise<ParquetNode[]> {
    const rows = (
      await db.runAndReadAll(
        `SELECT name, type, num_children, converted_type, logical_type FROM parquet_schema('${file}')`,
      )
    ).getRowObjectsJson() as unknown as ParquetNode[];
    const top: ParquetNode[] = [];
    let i = 1; // row 0 is the schema root
    const skip = (index: number): number => {
      let next = index + 1;
      for (let c = 0; c < Number(rows[index]?.num_children ?? 0); c++) next = skip(next);
      return next;
    };
    while (i < rows.length) {
      top.push(rows[i] as ParquetNode);
      i = skip(i);
    }
    return top;
  }

  it.each(CATALOG_TABLES)("%s: every load-table column has the Snowflake type of its Parquet column", async (table) => {
    // Act
    const file = curated.localPath(
      table === TABLE_STATS
        ? tableStatsKey(DATE, "artists")
        : table === COLUMN_STATS
          ? columnStatsKey(DATE, "artists")
          : curatedKey(table, DATE),
    );
    const parquet = await parquetColumns(file);
    const declared = tableColumns(one("table", table).sql).slice(0, -Object.keys(LOAD_COLUMNS).length); // last

    // Assess: same names (MATCH_BY_COLUMN_NAME) in the same order, and the type the Parquet type loads as
    expect(declared).toEqual(parquet.map((c) => [c.name.toUpperCase(), snowflakeTypeForParquet(c)]));
  });

  it("maps every logical column type", () => {
    expect(Object.keys(SNOWFLAKE_TYPES).sort()).toEqual(Object.keys(COLUMN_TYPES).sort());
  });
});
