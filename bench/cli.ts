/**
 * `npm run bench -- --only cli`: how long a person waits for the `tunelake` command. Each call is a new process of
 * the real binary (as `npx tunelake` runs it), timed from spawn to exit; the figure is the median of `runs` calls,
 * after one untimed call that warms the file cache. `--baseline DIR` times another checkout's binary (with its own
 * `npm ci`) in the same run, alternating call by call, so the ratio is measured under the same load. This checkout's
 * CLI is compiled first (`npm run build`, as `npm ci` does), so what is timed is what an installed checkout runs.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { BenchError } from "./errors.ts";

const REPO = path.resolve(import.meta.dirname, "..");

/** The calls timed: the cheapest command, the help, and a query that opens DuckDB over an empty home. */
const CALLS = {
  version: ["--version"],
  help: ["--help"],
  querySelect1: ["query", "SELECT 1"],
} as const;
type CallName = keyof typeof CALLS;

function timeCall(bin: string, args: readonly string[], home: string): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", TUNELAKE_HOME: home };
  for (const key of Object.keys(env)) if (key.startsWith("SPOTIFY_")) delete env[key];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: path.dirname(path.dirname(path.dirname(bin))), env }, (error) => {
      if (error)
        reject(
          new BenchError({ reason: "commandFailed", command: `${bin} ${args.join(" ")}`, problem: error.message }),
        );
      else resolve(performance.now() - started);
    });
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export interface CliBench {
  runs: number;
  /** Median seconds per call of this checkout's binary. */
  seconds: Record<CallName, number>;
  /** The same for the baseline checkout, and this checkout's time as a ratio of it (below 1 is faster). */
  baseline?: { dir: string; seconds: Record<CallName, number>; ratio: Record<CallName, number> };
}

export async function benchCli(options: { runs?: number; baseline?: string } = {}): Promise<CliBench> {
  const runs = options.runs ?? 5;
  const bins = { current: path.join(REPO, "packages/cli/bin/tunelake.mjs") } as Record<string, string>;
  if (options.baseline) bins.baseline = path.join(path.resolve(options.baseline), "packages/cli/bin/tunelake.mjs");
  await promisify(execFile)(process.execPath, [path.join(REPO, "packages/cli/build.mjs")]);
  const home = await mkdtemp(path.join(os.tmpdir(), "tunelake-bench-cli-"));
  try {
    const times: Record<string, Record<CallName, number[]>> = {};
    for (const [which, bin] of Object.entries(bins)) {
      times[which] = { version: [], help: [], querySelect1: [] };
      for (const args of Object.values(CALLS)) await timeCall(bin, args, home);
    }
    for (let i = 0; i < runs; i++) {
      for (const [name, args] of Object.entries(CALLS) as [CallName, readonly string[]][]) {
        for (const [which, bin] of Object.entries(bins)) times[which]?.[name].push(await timeCall(bin, args, home));
      }
    }
    const seconds = (which: string) =>
      Object.fromEntries(
        (Object.keys(CALLS) as CallName[]).map((name) => [name, round(median(times[which]?.[name] ?? []) / 1000)]),
      ) as Record<CallName, number>;
    const result: CliBench = { runs, seconds: seconds("current") };
    if (options.baseline) {
      const base = seconds("baseline");
      result.baseline = {
        dir: path.resolve(options.baseline),
        seconds: base,
        ratio: Object.fromEntries(
          (Object.keys(CALLS) as CallName[]).map((name) => [name, round(result.seconds[name] / base[name])]),
        ) as Record<CallName, number>,
      };
    }
    return result;
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
