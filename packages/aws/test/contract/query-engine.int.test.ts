/**
 * The `QueryEngine` contract: the same assertions against the local adapter (DuckDB over a crawled temp lake) and
 * the AWS adapter (moto_server: Glue tables declared as the stack declares them, Athena answering with the result
 * Athena would give, since moto does not execute SQL), then the shapes of what both returned compared.
 */

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateDatabaseCommand, CreateTableCommand } from "@aws-sdk/client-glue";
import type { QueryEngine } from "@tunelake/core/ports";
import { CATALOG_TABLES, curatedTable, glueType, PARTITION_KEY } from "@tunelake/core/transform/curated-tables";
import { crawlCuratedZone } from "@tunelake/local/catalog";
import { CatalogNotFoundError } from "@tunelake/local/errors";
import { createLocalQueryEngine } from "@tunelake/local/query-engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeCuratedFixture } from "../../../local/test/lake-fixture.ts";
import { createAwsQueryEngine } from "../../src/query-engine.ts";
import { detectMoto, MOTO_REGION } from "../moto-server.ts";
import { openAwsBackend } from "./backends.ts";

const moto = await detectMoto();
const DATE = "2026-11-20";
const SQL = `SELECT track_id, duration_ms, explicit FROM tracks WHERE dt = '${DATE}' ORDER BY track_id`;
/** The rows of the lake fixture's tracks table. */
const TRACKS = [
  { track_id: "tr1", duration_ms: 200000, explicit: false },
  { track_id: "tr2", duration_ms: 180000, explicit: true },
  { track_id: "tr3", duration_ms: 150000, explicit: false },
];

interface Subject {
  /** An engine before anything was crawled. */
  empty: QueryEngine;
  /** Crawls the lake (locally) or registers the tables (on AWS), then returns an engine over them. */
  crawled: () => Promise<QueryEngine>;
  close: () => Promise<void>;
}

type Backend = "local" | "aws";
const shapes: Record<Backend, Record<string, unknown>> = { local: {}, aws: {} };
const typesOf = (value: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? "null" : typeof v]));

async function openLocal(): Promise<Subject> {
  const home = await mkdtemp(join(tmpdir(), "tunelake-query-"));
  const engines: QueryEngine[] = [createLocalQueryEngine(home)];
  return {
    empty: engines[0] as QueryEngine,
    async crawled() {
      await writeCuratedFixture(home, DATE);
      await crawlCuratedZone(home);
      const engine = createLocalQueryEngine(home);
      engines.push(engine);
      return engine;
    },
    close: async () => {
      for (const engine of engines) await engine.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

const column = (Name: string, Type: string) => ({
  Name,
  Label: Name,
  Type,
  CatalogName: "hive",
  SchemaName: "",
  TableName: "",
});
const cells = (...values: string[]) => ({ Data: values.map((v) => ({ VarCharValue: v })) });

async function openAws(): Promise<Subject> {
  const backend = await openAwsBackend("query");
  // The fixture made the stage's workgroup.
  const { clients, outputs, server } = backend;
  await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: outputs.glueDatabase } }));
  const open = () =>
    createAwsQueryEngine({ stage: backend.stage, root: backend.root, clients, query: { pollIntervalMs: 10 } });
  const engines: QueryEngine[] = [open()];
  return {
    empty: engines[0] as QueryEngine,
    async crawled() {
      // The tables as the stack declares them (the crawler only adds partitions).
      for (const name of CATALOG_TABLES) {
        await clients.glue.send(
          new CreateTableCommand({
            DatabaseName: outputs.glueDatabase,
            TableInput: {
              Name: name,
              PartitionKeys: [{ Name: PARTITION_KEY.name, Type: PARTITION_KEY.type }],
              StorageDescriptor: {
                Columns: curatedTable(name).columns.map((c) => ({ Name: c.name, Type: glueType(c.type) })),
                Location: `s3://${outputs.curatedBucket}/${name}/`,
              },
            },
          }),
        );
      }
      // What Athena answers for SQL over the fixture's tracks (a header row, then the rows as text).
      await server.motoApi("/moto-api/static/athena/query-results", {
        region: MOTO_REGION,
        results: [
          {
            column_info: [
              column("track_id", "varchar"),
              column("duration_ms", "integer"),
              column("explicit", "boolean"),
            ],
            rows: [
              cells("track_id", "duration_ms", "explicit"),
              ...TRACKS.map((t) => cells(t.track_id, String(t.duration_ms), String(t.explicit))),
            ],
          },
        ],
      });
      const engine = open();
      engines.push(engine);
      return engine;
    },
    close: async () => {
      for (const engine of engines) await engine.close();
      await backend.close();
    },
  };
}

function contract(backend: Backend, open: () => Promise<Subject>) {
  describe(`QueryEngine (${backend})`, () => {
    let s: Subject;
    let crawledEngine: Promise<QueryEngine> | undefined;
    const crawled = () => {
      crawledEngine ??= s.crawled();
      return crawledEngine;
    };
    beforeAll(async () => {
      s = await open();
    }, 60_000);
    afterAll(async () => s?.close());

    it("has no tables before the first crawl", async () => {
      expect(s.empty.backend).toBe(backend);
      expect(await s.empty.tables()).toEqual([]);
    });

    it("lists every cataloged table with its columns, the dt partition key last, and where its data lives", async () => {
      const engine = await crawled();

      const tables = await engine.tables();

      expect(tables.map((t) => t.name)).toEqual([...CATALOG_TABLES].sort());
      const tracks = tables.find((t) => t.name === "tracks");
      expect(tracks?.columns.map((c) => c.name)).toEqual([...curatedTable("tracks").columns.map((c) => c.name), "dt"]);
      for (const c of tracks?.columns ?? []) expect(c.type).toMatch(/\S/);
      expect(tracks?.location).toMatch(/tracks\/?$/);
      shapes[backend].table = Object.keys(tracks ?? {}).sort();
    });

    it("runs SQL over the tables named as in Athena and returns typed rows with their columns", async () => {
      const engine = await crawled();

      const result = await engine.query(SQL);

      expect(result.columns.map((c) => c.name)).toEqual(["track_id", "duration_ms", "explicit"]);
      for (const c of result.columns) expect(c.type).toMatch(/\S/);
      expect(result.rows).toEqual(TRACKS);
      shapes[backend].row = typesOf(result.rows[0] ?? {});
      shapes[backend].column = Object.keys(result.columns[0] ?? {}).sort();
      if (backend === "aws") expect(result.queryExecutionId).toMatch(/\S/);
      else expect(result.queryExecutionId).toBeUndefined();
    });
  });
}

contract("local", openLocal);

it("says to run the pipeline first when a local query runs before the first crawl", async () => {
  const home = await mkdtemp(join(tmpdir(), "tunelake-query-"));
  const engine = createLocalQueryEngine(home);
  try {
    await expect(engine.query("SELECT * FROM tracks")).rejects.toThrow(CatalogNotFoundError);
  } finally {
    await engine.close();
    await rm(home, { recursive: true, force: true });
  }
});

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available)
  console.warn(`moto_server is not installed (${moto.reason}): skipping the AWS QueryEngine adapter over the wire.`);

contract("aws", openAws);

it("returns the same shapes from both backends", () => {
  expect(shapes.aws).toEqual(shapes.local);
});
