/**
 * Transform benchmark: synthetic raw data of N playlist entries (with their tracks, albums and artists), transformed
 * by our DuckDB transform (all entities) and by a plain-JS baseline doing the same work, each in a separate child
 * process so that peak RSS is measured per side, in the same run.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { BenchError } from "./errors.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "..");

/**
 * How fast our transform could be at most: DuckDB reading the playlist entries (the largest raw entity) into its
 * load table, with the same settings, and nothing else. Every table is built after that read, so
 * `speedupCeiling` bounds `speedup` from above whatever the rest of the transform costs.
 */
export interface TransformReadCeiling {
  readItemsPerSecond: number;
  /** readItemsPerSecond / baselineItemsPerSecond of the same run. */
  speedupCeiling: number;
  /** DuckDB threads and memory limit (MB) both our sides ran with. */
  threads: number;
  memoryLimitMb: number;
}

export interface TransformBenchResult {
  /** Playlist entries in the synthetic day (N). */
  items: number;
  itemsPerSecond: number;
  baselineItemsPerSecond: number;
  /** itemsPerSecond / baselineItemsPerSecond. */
  speedup: number;
  peakRssMb: number;
  baselinePeakRssMb: number;
}

interface SideResult {
  ms: number;
  peakRssMb: number;
  rows: Record<string, number>;
  /** DuckDB settings of our sides. */
  settings?: { threads: number; memoryLimitMb: number };
}

async function runSide(
  side: "generate" | "duckdb" | "read" | "baseline",
  rawDir: string,
  outDir: string,
  date: string,
  items: number,
): Promise<SideResult> {
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench", "transform-runner.ts"), side, rawDir, outDir, date, String(items)],
    // One libuv worker thread per side. @duckdb/node-api runs each statement on a libuv pool thread; with the
    // default four, successive statements land on different threads, and glibc gives each thread its own malloc
    // arena, so memory DuckDB frees on one thread is not reused by the next statement (about 70 MB of peak RSS on
    // this benchmark). The same setting suits the Lambda, which runs one transform at a time. The baseline gets
    // it too: its gunzip streams use the pool one chunk at a time, so it neither gains nor loses speed.
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, UV_THREADPOOL_SIZE: "1" } },
  );
  const line = stdout.trim().split("\n").pop() ?? "";
  return JSON.parse(line) as SideResult;
}

/**
 * Runs the transform benchmark; `items` is N, the number of playlist entries (at least 200,000 by default). Returns
 * the comparison with the baseline and the ceiling our first step (the raw read) puts on it.
 */
export async function benchTransform(
  opts: { items?: number } = {},
): Promise<{ transform: TransformBenchResult; readCeiling: TransformReadCeiling }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-transform-"));
  try {
    const rawDir = path.join(dir, "raw");
    const date = "2026-11-20";
    const items = opts.items ?? 200_000;
    const generated = await runSide("generate", rawDir, String(items), date, items);
    const written = generated.rows.playlist_items ?? 0;
    const ours = await runSide("duckdb", rawDir, path.join(dir, "curated"), date, items);
    const read = await runSide("read", rawDir, path.join(dir, "read"), date, items);
    const baseline = await runSide("baseline", rawDir, path.join(dir, "baseline"), date, items);
    if (ours.rows.playlist_items !== baseline.rows.playlist_items) {
      throw new BenchError({
        reason: "sidesDisagree",
        table: "playlist_items",
        ours: ours.rows.playlist_items,
        baseline: baseline.rows.playlist_items,
      });
    }
    if (read.rows.playlist_items !== written) {
      throw new BenchError({ reason: "readShort", loaded: read.rows.playlist_items, written });
    }
    const itemsPerSecond = written / (ours.ms / 1000);
    const baselineItemsPerSecond = written / (baseline.ms / 1000);
    const readItemsPerSecond = written / (read.ms / 1000);
    const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
    return {
      transform: {
        items: written,
        itemsPerSecond: Math.round(itemsPerSecond),
        baselineItemsPerSecond: Math.round(baselineItemsPerSecond),
        speedup: round(itemsPerSecond / baselineItemsPerSecond, 2),
        peakRssMb: round(ours.peakRssMb),
        baselinePeakRssMb: round(baseline.peakRssMb),
      },
      readCeiling: {
        readItemsPerSecond: Math.round(readItemsPerSecond),
        speedupCeiling: round(readItemsPerSecond / baselineItemsPerSecond, 2),
        threads: ours.settings?.threads ?? 0,
        memoryLimitMb: ours.settings?.memoryLimitMb ?? 0,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
