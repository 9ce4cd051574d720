import { CreateDatabaseCommand, CreateTableCommand } from "@aws-sdk/client-glue";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CloudClients } from "../src/cloud-clients.ts";
import { athenaValue, cloudQuery } from "../src/cloud-query.ts";
import { cloudListTables } from "../src/cloud-tables.ts";
import { detectMoto, MOTO_REGION, type MotoServer } from "./moto-server.ts";
import { type MotoStage, openMotoStage } from "./moto-stage.ts";

const moto = await detectMoto();

describe("athenaValue", () => {
  it.each([
    ["integer", "42", 42],
    ["bigint", "9007199254740993", "9007199254740993"],
    ["bigint", "-7", -7],
    ["double", "0.5", 0.5],
    ["boolean", "true", true],
    ["boolean", "false", false],
    ["varchar", "007", "007"],
    ["date", "2026-11-20", "2026-11-20"],
    ["decimal", "1.10", "1.10"],
    ["varchar", undefined, null],
  ])("turns Athena's %s text %j into %j", (type, text, expected) => {
    expect(athenaValue(type, text)).toEqual(expected);
  });
});

const column = (Name: string, Type: string) => ({
  Name,
  Label: Name,
  Type,
  CatalogName: "hive",
  SchemaName: "",
  TableName: "",
});
const cells = (...values: (string | undefined)[]) => ({
  Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
});

// Without moto_server these tests are skipped, visibly, and say why (the cloud mode needs moto to run at all).
if (!moto.available) console.warn(`moto_server is not installed (${moto.reason}): skipping cloudQuery over the wire.`);

describe.skipIf(!moto.available)("cloudQuery and cloudListTables over moto_server", () => {
  let fixture: MotoStage;
  let server: MotoServer;
  let clients: CloudClients;
  let stage: StageOutputs;

  beforeAll(async () => {
    fixture = await openMotoStage("moto");
    ({ server, clients, outputs: stage } = fixture);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it("runs the SQL in the stage's workgroup and returns typed rows without the header row", async () => {
    // Prepare: what Athena would answer (moto does not execute SQL).
    const columns = [column("track_id", "varchar"), column("playlists", "bigint"), column("explicit", "boolean")];
    await server.motoApi("/moto-api/static/athena/query-results", {
      region: MOTO_REGION,
      results: [
        {
          column_info: columns,
          rows: [cells("track_id", "playlists", "explicit"), cells("t1", "12", "false"), cells("t2", "3", undefined)],
        },
      ],
    });

    // Act
    const result = await cloudQuery("SELECT track_id, playlists, explicit FROM tracks WHERE dt = ?", {
      stage,
      clients,
      parameters: ["'2026-11-20'"],
      pollIntervalMs: 10,
    });

    // Assess
    expect(result.columns).toEqual([
      { name: "track_id", type: "varchar" },
      { name: "playlists", type: "bigint" },
      { name: "explicit", type: "boolean" },
    ]);
    expect(result.rows).toEqual([
      { track_id: "t1", playlists: 12, explicit: false },
      { track_id: "t2", playlists: 3, explicit: null },
    ]);
    expect(result.queryExecutionId).toMatch(/\S/);
  });

  it("keeps the first row of a result that has no header row", async () => {
    await server.motoApi("/moto-api/static/athena/query-results", {
      region: MOTO_REGION,
      results: [{ column_info: [column("tab_name", "varchar")], rows: [cells("artists"), cells("tracks")] }],
    });

    const result = await cloudQuery("SHOW TABLES", { stage, clients, pollIntervalMs: 10 });

    expect(result.rows).toEqual([{ tab_name: "artists" }, { tab_name: "tracks" }]);
  });

  it("lists the tables the crawler registered, with their dt partition key", async () => {
    // Prepare: what the crawler leaves in the catalog.
    await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: stage.glueDatabase } }));
    for (const name of ["tracks", "albums"]) {
      await clients.glue.send(
        new CreateTableCommand({
          DatabaseName: stage.glueDatabase,
          TableInput: {
            Name: name,
            PartitionKeys: [{ Name: "dt", Type: "string" }],
            StorageDescriptor: {
              Columns: [{ Name: `${name.slice(0, -1)}_id`, Type: "string" }],
              Location: `s3://${stage.curatedBucket}/${name}/`,
            },
          },
        }),
      );
    }

    // Act
    const tables = await cloudListTables({ stage, clients });

    // Assess
    expect(tables.map((t) => t.name)).toEqual(["albums", "tracks"]);
    expect(tables[1]).toMatchObject({
      columns: [{ name: "track_id", type: "string" }],
      partitionKeys: [{ name: "dt", type: "string" }],
      location: `s3://${stage.curatedBucket}/tracks/`,
    });
  });
});
