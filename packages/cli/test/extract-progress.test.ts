/**
 * The Extract progress follows the real Spotify client's requests (the sample API on 127.0.0.1): a cli-progress bar
 * on a terminal stream, plain lines otherwise.
 */
import { PassThrough } from "node:stream";
import { createSpotifyClient } from "@tunelake/core/spotify/client";
import { deriveId } from "@tunelake/sample-api/sample-data";
import { type SampleServer, sampleEnv } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plannedRequests, startExtractProgress } from "../src/extract-progress.ts";
import { repoConfig, startSample } from "./reliability/harness.ts";

describe("Extract progress", () => {
  let server: SampleServer;
  beforeAll(async () => {
    server = await startSample(["spotify-429"]);
  });
  afterAll(async () => {
    await server.close();
  });

  const fetchArtists = async (count: number) => {
    const spotify = createSpotifyClient(sampleEnv(server), { concurrency: 4 });
    await Promise.all(
      Array.from({ length: count }, (_, i) => spotify.get(`/artists/${deriveId("progress", "artist", i)}`)),
    );
    return spotify.stats();
  };

  it("draws requests done of planned, the rate and the 429s waited out on a terminal", async () => {
    // Prepare
    const stream = new PassThrough();
    let drawn = "";
    stream.on("data", (chunk: Buffer) => {
      drawn += chunk.toString();
    });
    Object.assign(stream, {
      isTTY: true,
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });

    // Act
    const progress = startExtractProgress({ planned: 5, tty: true, write: () => undefined, stream });
    const stats = await fetchArtists(5);
    progress.stop();

    // Assess: the 429s of the fault are retried, so the total grows past the plan.
    expect(stats.requests).toBeGreaterThan(5);
    expect(drawn).toMatch(new RegExp(`${stats.requests}/\\d+ requests \\| [\\d.]+/s \\| ETA`));
    expect(drawn).toMatch(/[1-9]\d* 429s waited out/);
  });

  it("writes a plain line every 100 requests when not on a terminal, and stops listening on stop()", async () => {
    // Prepare
    const lines: string[] = [];

    // Act
    const progress = startExtractProgress({ planned: 10, tty: false, write: (l) => lines.push(l) });
    await fetchArtists(120);
    progress.stop();
    await fetchArtists(100);

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}Extract: 100 requests \([\d.]+\/s, \d+ 429s waited out\)\n$/);
  });

  it("plans at least one request per configured source", async () => {
    const config = await repoConfig();
    const planned = plannedRequests(config);
    const sources = config.sources;
    expect(planned).toBeGreaterThanOrEqual(sources.artists.length + sources.playlists.length + sources.searches.length);
  });
});
