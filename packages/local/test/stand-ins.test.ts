import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLocalAthena } from "../src/athena.ts";
import { crawlCuratedZone } from "../src/catalog.ts";
import { createLocalGlue } from "../src/glue.ts";
import { tempHome, writeCuratedFixture } from "./lake-fixture.ts";

describe("Glue and Athena stand-ins", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
    await writeCuratedFixture(home, "2026-11-21");
  });
  afterEach(async () => cleanup());

  it("answers GetCrawler RUNNING then READY with LastCrawl SUCCEEDED, and refuses a start while running", async () => {
    // Prepare
    const glue = createLocalGlue({ home });

    // Act
    await glue.startCrawler({ Name: "c" });
    const second = await glue.startCrawler({ Name: "c" }).catch((e: Error) => e);
    const first = await glue.getCrawler({ Name: "c" });
    const then = await glue.getCrawler({ Name: "c" });

    // Assess
    expect(second).toMatchObject({ name: "Glue.CrawlerRunningException" });
    expect(first.Crawler).toMatchObject({ State: "RUNNING" });
    expect(first.Crawler).not.toHaveProperty("LastCrawl");
    expect(then.Crawler).toMatchObject({ State: "READY", LastCrawl: { Status: "SUCCEEDED" } });
  });

  it("answers in Athena's shapes: QueryExecution, then a ResultSet whose first row is the header", async () => {
    // Prepare
    await crawlCuratedZone(home);
    const athena = createLocalAthena({ home });

    // Act
    const started = await athena.startQueryExecutionSync({
      QueryString:
        "SELECT album_id, release_date, label, total_tracks FROM albums WHERE dt = ? ORDER BY album_id LIMIT 1",
      WorkGroup: "wg",
      ExecutionParameters: ["'2026-11-21'"],
    });
    const results = await athena.getQueryResults({ QueryExecutionId: started.QueryExecution.QueryExecutionId });

    // Assess
    expect(started.QueryExecution.Status.State).toBe("SUCCEEDED");
    expect(started.QueryExecution.Query).toContain("dt = '2026-11-21'");
    expect(results.ResultSet.Rows).toEqual([
      {
        Data: [
          { VarCharValue: "album_id" },
          { VarCharValue: "release_date" },
          { VarCharValue: "label" },
          { VarCharValue: "total_tracks" },
        ],
      },
      { Data: [{ VarCharValue: "al1" }, { VarCharValue: "2020-01-01" }, {}, { VarCharValue: "2" }] },
    ]);
    expect(results.ResultSet.ResultSetMetadata.ColumnInfo.map((c) => [c.Name, c.Type])).toEqual([
      ["album_id", "varchar"],
      ["release_date", "date"],
      ["label", "varchar"],
      ["total_tracks", "integer"],
    ]);
  });

  it("fails a bad query as a .sync task does (States.TaskFailed with the QueryExecution as cause)", async () => {
    // Prepare
    await crawlCuratedZone(home);
    const athena = createLocalAthena({ home });

    // Act
    const failure = await athena
      .startQueryExecutionSync({ QueryString: "SELECT nope FROM tracks" })
      .catch((e: Error) => e);

    // Assess
    expect(failure).toMatchObject({ name: "States.TaskFailed" });
    expect(JSON.parse((failure as Error).message).QueryExecution.Status.State).toBe("FAILED");
  });

  it.each([
    [
      "a ? outside a WHERE clause",
      "SELECT count(*) AS n FROM tracks t WHERE t.track_id IN (SELECT ? AS x)",
      "INVALID_PARAMETER_USAGE",
    ],
    ["DuckDB-only syntax", "SELECT track_id::varchar AS t FROM tracks WHERE dt = ?", "SYNTAX_ERROR"],
    [
      "a plan above Trino's stage limit",
      `WITH c AS (SELECT count(*) AS n FROM tracks WHERE dt = ?)\nSELECT n FROM c${"\nUNION ALL SELECT n FROM c".repeat(59)}`,
      "QUERY_HAS_TOO_MANY_STAGES",
    ],
  ])("fails %s as Athena does, though DuckDB would run it", async (_name, sql, reason) => {
    // Prepare
    await crawlCuratedZone(home);
    const athena = createLocalAthena({ home });
    const parameters = Array.from({ length: sql.split("?").length - 1 }, () => "'2026-11-21'");

    // Act
    const failure = await athena
      .startQueryExecutionSync({ QueryString: sql, ExecutionParameters: parameters })
      .catch((e: Error) => e);

    // Assess
    expect(failure).toMatchObject({ name: "States.TaskFailed" });
    const status = JSON.parse((failure as Error).message).QueryExecution.Status;
    expect(status.State).toBe("FAILED");
    expect(status.StateChangeReason).toContain(reason);
  });
});
