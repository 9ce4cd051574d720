/**
 * One side of the transform benchmark, run in its own process so its peak RSS is its own:
 * `node --import tsx bench/transform-runner.ts <duckdb|read|baseline> <rawDir> <outDir> <date>`.
 * Prints one JSON line: wall time of the transform, peak RSS, rows per table.
 */
import { readFileSync } from "node:fs";
import { BenchError } from "./errors.ts";

/**
 * DuckDB settings for the benchmark (override with TUNELAKE_BENCH_THREADS / TUNELAKE_BENCH_MEMORY_MB, and
 * TUNELAKE_BENCH_LOAD_THREADS / TUNELAKE_BENCH_LOAD_MEMORY_MB for the raw-file load only, to explore). One thread by
 * default: the baseline is single-threaded JS. A second thread parses a second gzip part at the same time (about
 * 1.5x on the load when both cores are free, nothing when the box is busy), but DuckDB's JSON reader then holds
 * per-thread buffers: the load needs a ~224 MB limit instead of 128 MB and peak RSS rises by 70-110 MB, past half of
 * the baseline's. The memory limit is what a small Lambda would give DuckDB: it spills past it; about 0.6 MB per
 * thousand playlist entries is enough.
 */
function benchDuckDbSettings(items: number): {
  threads: number;
  memoryLimitMb: number;
  loadThreads?: number;
  loadMemoryLimitMb?: number;
} {
  const env = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  return {
    threads: env("TUNELAKE_BENCH_THREADS") ?? 1,
    memoryLimitMb: env("TUNELAKE_BENCH_MEMORY_MB") ?? Math.max(128, Math.ceil(items / 1600)),
    loadThreads: env("TUNELAKE_BENCH_LOAD_THREADS"),
    loadMemoryLimitMb: env("TUNELAKE_BENCH_LOAD_MEMORY_MB"),
  };
}

/**
 * Peak resident memory of this process image in MB. Linux's VmHWM is reset by exec, unlike getrusage's maxRSS, which
 * a spawned child inherits from its parent's size at fork time.
 */
function peakRssMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match?.[1]) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS / 1024;
}

const [side, rawDir, outDir, date, items] = process.argv.slice(2);
if (!side || !rawDir || !outDir || !date) {
  throw new BenchError({
    reason: "usage",
    usage: "transform-runner <generate|duckdb|read|baseline> <rawDir> <outDir|items> <date> [items]",
  });
}

// Reset after each side's imports: only the transform itself is timed.
let started = performance.now();
let rows: Record<string, number>;
let settings: { threads: number; memoryLimitMb: number } | undefined;
if (side === "generate") {
  // Generated in a child too, so the benchmark's parent process stays small while it spawns the measured sides.
  const { writeSyntheticRaw } = await import("./transform-data.ts");
  const day = await writeSyntheticRaw(rawDir, Number(outDir), date);
  rows = { playlist_items: day.items };
} else if (side === "duckdb") {
  // Each side imports only its own code, so neither carries the other's modules (DuckDB's native library) in its RSS.
  const { FsObjectStore } = await import("../packages/core/src/storage/fs-store.ts");
  const { transformAll } = await import("../packages/core/src/transform/run-transform.ts");
  settings = benchDuckDbSettings(Number(items ?? 200_000));
  started = performance.now();
  const results = await transformAll({
    date,
    raw: new FsObjectStore(rawDir),
    curated: new FsObjectStore(outDir),
    workDir: `${outDir}-work`,
    ...settings,
  });
  rows = Object.fromEntries(results.flatMap((r) => r.tables.map((t) => [t.table, t.rows])));
} else if (side === "read") {
  // Only the first step of ours: DuckDB reads the largest raw entity (playlist entries) into its flat load table,
  // with the same settings. No table is built: its rate is the ceiling of our transform's rate.
  const { FsObjectStore } = await import("../packages/core/src/storage/fs-store.ts");
  const { resolveRawFiles } = await import("../packages/core/src/transform/run-transform.ts");
  const { TransformSession } = await import("../packages/core/src/transform/duckdb-session.ts");
  const work = `${outDir}-work`;
  const { files, keys } = await resolveRawFiles(new FsObjectStore(rawDir), date, ["playlist_items"], work);
  settings = benchDuckDbSettings(Number(items ?? 200_000));
  started = performance.now();
  const session = await TransformSession.open({ dir: work, ...settings }, files, keys);
  try {
    await session.loadRaw(["playlist_items"]);
    rows = { playlist_items: await session.count("SELECT count(*) FROM raw_playlist_items") };
  } finally {
    session.close();
  }
} else {
  const { baselineTransform } = await import("./transform-baseline.ts");
  started = performance.now();
  rows = (await baselineTransform(rawDir, date, outDir)).rows;
}
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ side, ms, peakRssMb: peakRssMb(), rows, settings })}\n`);
