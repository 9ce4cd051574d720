/**
 * Extract benchmark: several thousand ids against the sample API with artificial latency, once per access profile.
 * `requests` should equal `minimumRequests` (each id fetched once, full batches, no wasted pages) and `wallSeconds`
 * stay within 1.3x `idealSeconds` = minimumRequests / concurrency x latency (the time the requests alone need).
 * Requests count API calls; the one token request per run is not counted on either side. The sample server runs in
 * a child process, as Spotify would run on other machines, so its CPU does not slow the extractor's event loop, and it
 * answers each request `latencyMs` after it arrived, working the answer out meanwhile (it still shares the machine's
 * cores and the loopback network with the extractor).
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../packages/core/src/config/load.ts";
import type { Config } from "../packages/core/src/config/schema.ts";
import { BATCH_SIZE, PAGE_LIMIT } from "../packages/core/src/extract/access.ts";
import { runExtract } from "../packages/core/src/extract/run-extract.ts";
import { FsObjectStore } from "../packages/core/src/storage/fs-store.ts";
import { deriveId, SampleData } from "../packages/sample-api/src/sample-data.ts";
import { type SampleServerOptions, startSampleServer } from "../packages/sample-api/src/sample-server.ts";
import { BenchError } from "./errors.ts";

export interface ExtractBenchResult {
  profile: "development" | "extended";
  requests: number;
  minimumRequests: number;
  wallSeconds: number;
  idealSeconds: number;
}

export interface ExtractBenchOptions {
  tracks?: number;
  albums?: number;
  artists?: number;
  latencyMs?: number;
  concurrency?: number;
  maxAlbumsPerArtist?: number;
}

/** The fewest API requests that can extract `config` from the sample data with this profile. */
export function minimumRequests(config: Config, profile: "development" | "extended", data: SampleData): number {
  const batch = profile === "extended";
  const s = config.sources;
  const e = config.extract;
  const calls = (n: number, size: number) => (batch ? Math.ceil(n / size) : n);
  const artists = [...new Set(s.artists)];
  const albums = new Set(s.albums);
  // An artist's albums are listed one include group at a time (so that a later day can check each group down to its
  // first known album, docs/tables.md "Incremental runs"), in the config's order, until `maxAlbumsPerArtist` albums
  // are listed: each group read costs at least one page, an empty one too.
  let artistAlbumPages = 0;
  for (const artist of artists) {
    let taken = 0;
    for (const group of e.includeGroups) {
      const left = e.maxAlbumsPerArtist - taken;
      if (left <= 0) break;
      const limit = Math.min(batch && left > PAGE_LIMIT.development ? PAGE_LIMIT.large : PAGE_LIMIT.development, left);
      const ids = data.artistAlbumIds(artist, [group]).slice(0, left);
      artistAlbumPages += Math.max(1, Math.ceil(ids.length / limit));
      taken += ids.length;
      for (const id of ids) albums.add(id);
    }
  }
  // An album carries its first 50 tracks; each further 50 is one more page.
  const trackPages = [...albums].reduce(
    (n, id) => n + Math.max(0, Math.ceil(data.albumFacts(id).totalTracks / 50) - 1),
    0,
  );
  return (
    calls(artists.length, BATCH_SIZE.artists) +
    artistAlbumPages +
    calls(albums.size, BATCH_SIZE.albums) +
    trackPages +
    calls(new Set(s.tracks).size, BATCH_SIZE.tracks)
  );
}

const SERVER_ENV = "TUNELAKE_BENCH_SAMPLE_SERVER";

interface RemoteServer {
  apiBaseUrl: string;
  accountsBaseUrl: string;
  clientId: string;
  clientSecret: string;
}

// In the child process: serve the sample API and report where.
if (process.env[SERVER_ENV] && process.send) {
  const send = process.send.bind(process);
  void startSampleServer(JSON.parse(process.env[SERVER_ENV]) as SampleServerOptions).then((server) => {
    const { apiBaseUrl, accountsBaseUrl, clientId, clientSecret } = server;
    send({ apiBaseUrl, accountsBaseUrl, clientId, clientSecret } satisfies RemoteServer);
    process.on("disconnect", () => void server.close().then(() => process.exit(0)));
  });
}

async function startRemoteServer(options: SampleServerOptions): Promise<{ server: RemoteServer; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [SERVER_ENV]: JSON.stringify(options) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [server] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(() => {
      throw new BenchError({ reason: "childEnded", child: "sample server", before: "started" });
    }),
  ])) as [RemoteServer];
  return { server, child };
}

/** The benchmark's config: 2,000 tracks, 1,000 albums and 500 artists (one album each) by default. */
export function benchConfig(options: ExtractBenchOptions = {}): Config {
  const make = (kind: string, n: number) => Array.from({ length: n }, (_, i) => deriveId("bench", kind, i));
  return parseConfig({
    sources: {
      tracks: make("track", options.tracks ?? 2000),
      albums: make("album", options.albums ?? 1000),
      artists: make("artist", options.artists ?? 500),
    },
    extract: { concurrency: options.concurrency ?? 8, maxAlbumsPerArtist: options.maxAlbumsPerArtist ?? 1 },
  });
}

/** Runs the benchmark for the development and extended profiles. */
export async function benchExtract(options: ExtractBenchOptions = {}): Promise<ExtractBenchResult[]> {
  const latencyMs = options.latencyMs ?? 40;
  const config = benchConfig(options);
  const concurrency = config.extract.concurrency;
  const results: ExtractBenchResult[] = [];
  for (const profile of ["development", "extended"] as const) {
    const { server, child } = await startRemoteServer({ profile, latencyMs });
    const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-"));
    try {
      const data = new SampleData({ profile, shape: "2026", apiBaseUrl: server.apiBaseUrl });
      const minimum = minimumRequests(config, profile, data);
      const started = performance.now();
      const result = await runExtract({
        config: { ...config, extract: { ...config.extract, accessProfile: profile } },
        date: "2026-11-20",
        store: new FsObjectStore(dir),
        spotify: { ...server, refreshToken: undefined },
        dataSource: "sample",
      });
      const wallSeconds = (performance.now() - started) / 1000;
      results.push({
        profile,
        requests: result.requests,
        minimumRequests: minimum,
        wallSeconds: Math.round(wallSeconds * 1000) / 1000,
        idealSeconds: Math.round((((minimum / concurrency) * latencyMs) / 1000) * 1000) / 1000,
      });
    } finally {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results;
}
