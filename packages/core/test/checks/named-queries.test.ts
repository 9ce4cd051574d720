import { createLocalAthena } from "@tunelake/local/athena";
import { crawlCuratedZone } from "@tunelake/local/catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome, VALID_TABLES, writeCuratedFixture } from "../../../local/test/lake-fixture.ts";
import { runDateParameter } from "../../src/checks/checks-sql.ts";
import { NAMED_QUERIES } from "../../src/checks/named-queries.ts";
import { analyzeTrinoSql } from "../../src/checks/trino-sql.ts";
import { CURATED_TABLES } from "../../src/lake.ts";

const DATE = "2026-11-21";
const query = (name: string) => NAMED_QUERIES.find((q) => q.name === name)!;

describe("NAMED_QUERIES", () => {
  it.each(NAMED_QUERIES.map((q) => [q.name, q] as const))(
    "%s parses as Trino SQL and takes the run date as its only parameter, in a WHERE clause",
    (_name, q) => {
      const analysis = analyzeTrinoSql(q.sql);

      expect(analysis.parameters).toEqual([expect.objectContaining({ inWhere: true })]);
      expect(q.description).toContain("Parameter: dt");
      expect(Object.keys(analysis.tableReads).length).toBeGreaterThan(0);
      for (const table of Object.keys(analysis.tableReads)) expect(CURATED_TABLES).toContain(table);
    },
  );

  it.each(NAMED_QUERIES.map((q) => [q.name, q] as const))("%s joins or filters every table on dt", (_name, q) => {
    const reads = analyzeTrinoSql(q.sql).totalReads;

    // Every table reference is joined or filtered on its dt partition, so no query scans the whole lake.
    expect((q.sql.match(/\bdt\s*=/g) ?? []).length).toBeGreaterThanOrEqual(reads);
  });
});

describe("NAMED_QUERIES on the local lake", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ home, cleanup } = await tempHome());
    // The day before: tr2 was first, tr1 second, so tr1 moved up one and tr2 down one.
    await writeCuratedFixture(home, "2026-11-20", {
      tables: {
        playlist_items: VALID_TABLES.playlist_items
          .replace("('pl1', 0, 'tr1'", "('pl1', 9, 'tr1'")
          .replace("('pl1', 1, 'tr2'", "('pl1', 0, 'tr2'")
          .replace("('pl1', 9, 'tr1'", "('pl1', 1, 'tr1'"),
      },
    });
    // A day-precision album released three days before the run date, one from last year.
    await writeCuratedFixture(home, DATE, {
      tables: {
        albums: VALID_TABLES.albums.replace("DATE '2021-05-01', 'month'", "DATE '2026-11-18', 'day'"),
      },
    });
    await crawlCuratedZone(home);
  });
  afterAll(async () => cleanup());

  /** Runs a named query through the Athena stand-in with the date bound, as Athena runs it; rows as objects. */
  async function run(name: string): Promise<Record<string, string | undefined>[]> {
    const athena = createLocalAthena({ home });
    const started = await athena.startQueryExecutionSync({
      QueryString: query(name).sql,
      ExecutionParameters: [runDateParameter(DATE)],
    });
    const { ResultSet } = await athena.getQueryResults({ QueryExecutionId: started.QueryExecution.QueryExecutionId });
    const [header, ...rows] = ResultSet.Rows;
    const names = header!.Data.map((d) => (d as { VarCharValue: string }).VarCharValue);
    return rows.map((row) =>
      Object.fromEntries(names.map((n, i) => [n, (row.Data[i] as { VarCharValue?: string }).VarCharValue])),
    );
  }

  it("top-tracks-of-the-day ranks the playlist tracks of the day", async () => {
    const rows = await run("top-tracks-of-the-day");

    expect(rows).toEqual([
      {
        track_id: "tr1",
        name: "Track One",
        album_id: "al1",
        playlists: "1",
        best_position: "0",
        popularity: undefined,
      },
      {
        track_id: "tr2",
        name: "Track Two",
        album_id: "al1",
        playlists: "1",
        best_position: "1",
        popularity: undefined,
      },
    ]);
  });

  it("top-albums-of-the-day counts the entries of each album's tracks", async () => {
    const rows = await run("top-albums-of-the-day");

    expect(rows).toEqual([
      {
        album_id: "al1",
        name: "Album One",
        album_type: "album",
        release_date: "2020-01-01",
        playlists: "1",
        playlist_entries: "2",
      },
    ]);
  });

  it("new-releases-of-the-week keeps the day-precision albums of the last 7 days", async () => {
    const rows = await run("new-releases-of-the-week");

    expect(rows).toEqual([
      {
        album_id: "al2",
        name: "Album Two",
        album_type: "single",
        release_date: "2026-11-18",
        total_tracks: "1",
        label: undefined,
      },
    ]);
  });

  it("playlist-movers compares each entry with the day before", async () => {
    const rows = await run("playlist-movers");

    expect(rows).toEqual([
      {
        playlist_id: "pl1",
        playlist_name: "Playlist",
        item_id: "tr1",
        previous_position: "1",
        position: "0",
        moved_up: "1",
      },
      {
        playlist_id: "pl1",
        playlist_name: "Playlist",
        item_id: "tr2",
        previous_position: "0",
        position: "1",
        moved_up: "-1",
      },
      {
        playlist_id: "pl1",
        playlist_name: "Playlist",
        item_id: "ep1",
        previous_position: "2",
        position: "2",
        moved_up: "0",
      },
    ]);
  });
});
