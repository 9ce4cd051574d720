/**
 * A day of user sources against the sample API, with the user's refresh token: extract, then transform, then the
 * curated tables read back with DuckDB. For the tests of the user's library sources (one test file per source).
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { parseConfig } from "../../src/config/load.ts";
import type { ConfigInput } from "../../src/config/schema.ts";
import { runExtract } from "../../src/extract/run-extract.ts";
import type { ExtractResult } from "../../src/pipeline-types.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import { transformAll } from "../../src/transform/run-transform.ts";

export const LIBRARY_DATE = "2026-11-21";

export interface LibraryRun {
  extract: ExtractResult;
  /** Rows written per curated table. */
  rows: Record<string, number>;
  /** Runs SQL over the curated tables of the day (each table a view of its Parquet file). */
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

/** Extracts and transforms `user` sources (the sample API's extended profile unless `profile` says otherwise). */
export async function runLibraryDay(
  user: NonNullable<ConfigInput["sources"]["user"]>,
  profile: "development" | "extended" = "extended",
): Promise<LibraryRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-library-"));
  const server = await startSampleServer({ profile });
  try {
    const raw = new FsObjectStore(path.join(dir, "raw"));
    const curated = new FsObjectStore(path.join(dir, "curated"));
    const config = parseConfig({ sources: { user } }, "The test config");
    const extract = await runExtract({
      config,
      date: LIBRARY_DATE,
      store: raw,
      spotify: sampleEnv(server, true),
      dataSource: "sample",
    });
    const results = await transformAll({ date: LIBRARY_DATE, raw, curated, workDir: path.join(dir, "work") });
    const rows = Object.fromEntries(results.flatMap((r) => r.tables.map((t) => [t.table, t.rows])));
    const duck = await DuckDBInstance.create(":memory:");
    const db = await duck.connect();
    for (const table of Object.keys(rows)) {
      const file = path.join(curated.root, table, `dt=${LIBRARY_DATE}`, "part-00000.parquet");
      await db.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet('${file}')`);
    }
    return {
      extract,
      rows,
      query: async (sql) => (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[],
      close: async () => {
        db.closeSync();
        duck.closeSync();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } finally {
    await server.close();
  }
}
