/**
 * The stage's query path under attack (issue 23): anything but one SELECT is refused before Athena is called (so no
 * DDL, CTAS, UNLOAD or second statement reaches the workgroup), and a huge result stops at the row cap, saying so.
 * Athena here is a recording stand-in for the SDK client: the point is which calls are never made.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { QueryRefusedError } from "@tunelake/core/errors";
import { describe, expect, it } from "vitest";
import { createAwsQueryEngine } from "../src/query-engine.ts";
import { motoStageOutputs } from "./stand-in.ts";

const stage = motoStageOutputs("sec", "arn:aws:states:us-east-1:123456789012:stateMachine:unused");

/** An Athena client that answers every query with `rows` rows of one bigint column, and records each command. */
function recordingAthena(rows: number) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  // A real client (the SDK's paginator checks the class) whose send never leaves the process.
  const client = new AthenaClient({ region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    calls.push({ command: command.constructor.name, input: command.input });
    switch (command.constructor.name) {
      case "StartQueryExecutionCommand":
        return { QueryExecutionId: "q-1" };
      case "GetQueryExecutionCommand":
        return { QueryExecution: { Status: { State: "SUCCEEDED" }, Statistics: { DataScannedInBytes: 10 } } };
      case "GetQueryResultsCommand": {
        // Pages of up to 1000 rows; the first starts with the header row, as Athena's SELECT results do.
        const start = Number(command.input.NextToken ?? 0);
        const end = Math.min(rows, start + 1000);
        const data = Array.from({ length: end - start }, (_, i) => ({ Data: [{ VarCharValue: String(start + i) }] }));
        return {
          ResultSet: {
            ResultSetMetadata: { ColumnInfo: [{ Name: "n", Label: "n", Type: "bigint" }] },
            Rows: start === 0 ? [{ Data: [{ VarCharValue: "n" }] }, ...data] : data,
          },
          ...(end < rows ? { NextToken: String(end) } : {}),
        };
      }
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  client.send = send as unknown as AthenaClient["send"];
  return { calls, athena: client };
}

describe("the stage's query engine under attack", () => {
  it.each([
    ["a CREATE TABLE AS SELECT", "CREATE TABLE stolen AS SELECT * FROM tracks", /got CREATE TABLE AS SELECT/],
    ["a DROP TABLE", "DROP TABLE tracks", /got DROP TABLE/],
    ["an INSERT", "INSERT INTO tracks SELECT * FROM tracks", /got INSERT INTO/],
    [
      "an UNLOAD",
      "UNLOAD (SELECT * FROM tracks) TO 's3://elsewhere/' WITH (format = 'PARQUET')",
      /cannot|does not parse/,
    ],
    ["a CREATE VIEW replacing a table", "CREATE OR REPLACE VIEW tracks AS SELECT 1 AS x", /got CREATE VIEW/],
    ["two statements", "SELECT 1; DROP TABLE tracks", /got 2 statements/],
    ["an EXPLAIN ANALYZE", "EXPLAIN ANALYZE SELECT * FROM tracks", /got EXPLAIN/],
    ["a SET SESSION", "SET SESSION query_max_run_time = '1h'", /got SET SESSION/],
    ["an inline function", "WITH FUNCTION f(x bigint) RETURNS bigint RETURN x SELECT f(1)", /inline function/],
    ["MSCK REPAIR TABLE (Hive DDL)", "MSCK REPAIR TABLE tracks", /does not parse/],
  ])("refuses %s without calling Athena", async (_, sql, message) => {
    // Prepare
    const { calls, athena } = recordingAthena(1);
    const engine = createAwsQueryEngine({ stage, clients: { athena } });

    // Act
    const refused = engine.query(sql);

    // Assess
    await expect(refused).rejects.toBeInstanceOf(QueryRefusedError);
    await expect(engine.query(sql)).rejects.toThrow(message);
    expect(calls).toEqual([]);
    await engine.close();
  });

  it("runs one SELECT (WITH … SELECT too) in the stage's workgroup", async () => {
    // Prepare
    const { calls, athena } = recordingAthena(2);
    const engine = createAwsQueryEngine({ stage, clients: { athena }, query: { pollIntervalMs: 1 } });

    // Act
    const result = await engine.query("WITH t AS (SELECT * FROM tracks) SELECT count(*) AS n FROM t");

    // Assess
    expect(result.rows).toEqual([{ n: 0 }, { n: 1 }]);
    expect(result.truncated).toBeUndefined();
    expect(calls[0]).toMatchObject({ command: "StartQueryExecutionCommand", input: { WorkGroup: stage.workGroup } });
    await engine.close();
  });

  it("stops a huge result at the row cap, says it was truncated, and reads no page past it", async () => {
    // Prepare
    const { calls, athena } = recordingAthena(100_000);
    const limits = { timeoutMs: 5000, maxRows: 1500, maxBytes: 1024 * 1024 };
    const engine = createAwsQueryEngine({ stage, clients: { athena }, query: { pollIntervalMs: 1 }, limits });

    // Act
    const result = await engine.query("SELECT * FROM tracks CROSS JOIN albums CROSS JOIN artists");

    // Assess
    expect(result.rows).toHaveLength(1500);
    expect(result.truncated).toEqual({ limit: "rows", maxRows: 1500, maxBytes: 1024 * 1024 });
    expect(calls.filter((c) => c.command === "GetQueryResultsCommand")).toHaveLength(2);
    await engine.close();
  });
});
