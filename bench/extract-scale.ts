/**
 * Extract at scale and after a kill, against the sample API in the development profile (one request per album):
 * - `extractScale`: two day sizes (the larger 5x the smaller, over 100 000 raw objects), each extracted in its own
 *   child process, which reports its peak RSS. Streaming raw writes keep the large day's peak near the small one's.
 * - `extractResume`: a run killed (SIGKILL) after about half its requests, then run again; requests counted at the
 *   sample server over both attempts, against the fewest that can extract the config. Only the work since the last
 *   checkpoint and the units in flight may repeat.
 * The sample server runs in a child process of its own (see extract.ts), as Spotify would run on other machines.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseConfig } from "../packages/core/src/config/load.ts";
import type { Config } from "../packages/core/src/config/schema.ts";
import { readCheckpoint } from "../packages/core/src/extract/checkpoint.ts";
import { runExtract } from "../packages/core/src/extract/run-extract.ts";
import { FsObjectStore } from "../packages/core/src/storage/fs-store.ts";
import { deriveId, SampleData } from "../packages/sample-api/src/sample-data.ts";
import {
  type SampleServerOptions,
  type SampleServerStats,
  startSampleServer,
} from "../packages/sample-api/src/sample-server.ts";
import { BenchError } from "./errors.ts";
import { minimumRequests } from "./extract.ts";

export interface ScaleSize {
  objects: number;
  rawMb: number;
  peakRssMb: number;
}
export interface ExtractScaleResult {
  small: ScaleSize;
  large: ScaleSize;
}
export interface ExtractResumeResult {
  requests: number;
  minimumRequests: number;
}

const DATE = "2026-11-20";
const SERVER_ENV = "TUNELAKE_BENCH_SCALE_SERVER";
const EXTRACT_ENV = "TUNELAKE_BENCH_SCALE_EXTRACT";

interface RemoteServer {
  apiBaseUrl: string;
  accountsBaseUrl: string;
  clientId: string;
  clientSecret: string;
}
/** Small enough for the child's environment: the child builds the config. */
interface ExtractJob {
  server: RemoteServer;
  albums: number;
  kind: string;
  dir: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

// Child: the sample server, answering `stats` messages with its request counts.
if (process.env[SERVER_ENV] && process.send) {
  const send = process.send.bind(process);
  void startSampleServer(JSON.parse(process.env[SERVER_ENV]) as SampleServerOptions).then((server) => {
    const { apiBaseUrl, accountsBaseUrl, clientId, clientSecret } = server;
    send({ ready: { apiBaseUrl, accountsBaseUrl, clientId, clientSecret } });
    process.on("message", () => send({ stats: server.stats() }));
    process.on("disconnect", () => void server.close().then(() => process.exit(0)));
  });
}

// Child: one extract into `dir`, reporting objects, raw MB and its own peak RSS.
if (process.env[EXTRACT_ENV] && process.send) {
  const send = process.send.bind(process);
  const job = JSON.parse(process.env[EXTRACT_ENV]) as ExtractJob;
  const store = new FsObjectStore(job.dir);
  void runExtract({
    config: albumsConfig(job.albums, job.kind),
    date: DATE,
    store,
    spotify: { ...job.server, refreshToken: undefined },
    dataSource: "sample",
  }).then(async (result) => {
    const checkpoint = await readCheckpoint(store, DATE);
    const objects = Object.values(result.objects).reduce((a, b) => a + (b ?? 0), 0);
    send({
      objects,
      rawMb: round((checkpoint?.rawBytes ?? 0) / 1024 / 1024),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    });
    process.disconnect();
  });
}

async function startServer(options: SampleServerOptions) {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [SERVER_ENV]: JSON.stringify(options) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(() => {
      throw new BenchError({ reason: "childEnded", child: "sample server", before: "started" });
    }),
  ])) as [{ ready: RemoteServer }];
  const stats = async (): Promise<SampleServerStats> => {
    child.send("stats");
    for (;;) {
      const [reply] = (await once(child, "message")) as [{ stats?: SampleServerStats }];
      if (reply.stats) return reply.stats;
    }
  };
  const apiRequests = async () => {
    const s = await stats();
    return s.requests - (s.byEndpoint["POST /api/token"] ?? 0);
  };
  const stop = async () => {
    const exited = once(child, "exit");
    child.disconnect();
    await exited;
  };
  return { server: message.ready, apiRequests, stop };
}

function startExtract(job: ExtractJob): { child: ChildProcess; result: Promise<ScaleSize> } {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [EXTRACT_ENV]: JSON.stringify(job) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const result = Promise.race([
    once(child, "message").then(([m]) => m as ScaleSize),
    once(child, "exit").then(([code, signal]) => {
      throw new BenchError({ reason: "childEnded", child: "extract", how: String(signal ?? code), before: "reported" });
    }),
  ]);
  result.catch(() => undefined);
  return { child, result };
}

/** The development profile's config for `albums` albums (one request each, plus a page per further 50 tracks). */
function albumsConfig(albums: number, kind: string): Config {
  return parseConfig({
    sources: { albums: Array.from({ length: albums }, (_, i) => deriveId("bench-scale", kind, i)) },
    extract: { accessProfile: "development", concurrency: 8 },
  });
}

/** Peak RSS of an extract at two day sizes, each in its own process. */
export async function benchExtractScale(options: { smallAlbums?: number; factor?: number } = {}) {
  const smallAlbums = options.smallAlbums ?? 1500;
  const factor = options.factor ?? 5;
  const { server, stop } = await startServer({ profile: "development" });
  try {
    const measure = async (albums: number) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-scale-"));
      try {
        return await startExtract({ server, albums, kind: "album", dir }).result;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    const small = await measure(smallAlbums);
    const large = await measure(smallAlbums * factor);
    return { small, large } satisfies ExtractScaleResult;
  } finally {
    await stop();
  }
}

/** Requests over a run killed after about half its requests and its rerun, against the minimum. */
export async function benchExtractResume(options: { albums?: number; latencyMs?: number } = {}) {
  const albums = options.albums ?? 5000;
  const { server, apiRequests, stop } = await startServer({
    profile: "development",
    latencyMs: options.latencyMs ?? 40,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-resume-"));
  try {
    const config = albumsConfig(albums, "resume");
    const data = new SampleData({ profile: "development", shape: "2026", apiBaseUrl: server.apiBaseUrl });
    const minimum = minimumRequests(config, "development", data);
    const first = startExtract({ server, albums, kind: "resume", dir });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if ((await apiRequests()) >= minimum / 2) break;
    }
    const exited = once(first.child, "exit");
    first.child.kill("SIGKILL");
    await exited;
    await startExtract({ server, albums, kind: "resume", dir }).result;
    return { requests: await apiRequests(), minimumRequests: minimum } satisfies ExtractResumeResult;
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}
