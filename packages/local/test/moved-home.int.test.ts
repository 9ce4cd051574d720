/**
 * A home that can move (README, "Hostile input"): the whole pipeline runs in-process (the real handlers, the sample
 * API on 127.0.0.1, the local engine) into a temp home; the home is then moved with `mv`, queried, copied, the copy's
 * source deleted, and queried again: every table keeps its row count.
 */
import { cp, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@tunelake/core/config/load";
import { silentLogger } from "@tunelake/core/logger";
import { CATALOG_TABLES } from "@tunelake/core/transform/curated-tables";
import { sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLocalCatalog } from "../src/catalog.ts";
import { runLocalExecution } from "../src/engine.ts";
import { createLocalHandlers } from "../src/handlers.ts";

const DATE = "2026-11-21";

describe("a moved or copied home", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tunelake-moved-home-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const counts = async (home: string) => {
    const catalog = await openLocalCatalog(home);
    try {
      const out: Record<string, number> = {};
      for (const table of CATALOG_TABLES) {
        out[table] = Number((await catalog.query(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
      }
      return out;
    } finally {
      catalog.close();
    }
  };

  it("reads its own data after mv, and after cp -r once the original is deleted", async () => {
    // Prepare: one real run of the pipeline into the first home.
    const first = join(dir, "first");
    const server = await startSampleServer();
    try {
      const handlers = createLocalHandlers({
        home: first,
        config: parseConfig({
          sources: {
            artists: ["4tZwfgrHOc3mvqYlEYSvVi"],
            playlists: ["3cEYpjA9oz9GiPac4AsH4n"],
            searches: [{ query: "tag:new", type: "album", limit: 10 }],
          },
          extract: { maxAlbumsPerArtist: 3 },
        }),
        spotify: sampleEnv(server, true),
        dataSource: "sample",
        logger: silentLogger,
      });
      const record = await runLocalExecution({
        home: first,
        input: { date: DATE },
        handlers,
        retryIntervalMs: 5,
        crawlerPollMs: 5,
        stderr: () => undefined,
      });
      expect(record.status).toBe("SUCCEEDED");
    } finally {
      await server.close();
    }
    const before = await counts(first);

    // Act
    const moved = join(dir, "moved");
    await rename(first, moved);
    const afterMove = await counts(moved);
    const copied = join(dir, "copied");
    await cp(moved, copied, { recursive: true });
    await rm(moved, { recursive: true });
    const afterCopy = await counts(copied);

    // Assess
    expect(before.tracks).toBeGreaterThan(0);
    expect(before.artists).toBeGreaterThan(0);
    expect(afterMove).toEqual(before);
    expect(afterCopy).toEqual(before);
  });
});
