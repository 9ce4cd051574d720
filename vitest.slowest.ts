/**
 * A vitest reporter that ends every run with its slowest test files (as dlt's suite prints `--durations 10`), so the
 * next file whose time doubles is seen the day it happens. `TUNELAKE_SLOWEST=N` shows N of them (default 10).
 * `TUNELAKE_WRITE_DURATIONS=1` also records every file's time in vitest.durations.json (the order a clean clone runs
 * its files in, vitest.sequencer.ts).
 */
import path from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import { recordDurations } from "./vitest.durations.ts";
import { tierOf } from "./vitest.tiers.ts";

/** A file's time: importing it and its setup, then every test and hook. */
function fileTime(module: TestModule): number {
  const d = module.diagnostic();
  return d.environmentSetupDuration + d.prepareDuration + d.setupDuration + d.collectDuration + d.duration;
}

export default class SlowestFiles implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const count = Number(process.env.TUNELAKE_SLOWEST ?? 10);
    const timed = modules
      .map((m) => ({ file: path.relative(process.cwd(), m.moduleId), project: tierOf(m.moduleId), ms: fileTime(m) }))
      .sort((a, b) => b.ms - a.ms);
    if (process.env.TUNELAKE_WRITE_DURATIONS === "1" && timed.length > 0) {
      recordDurations(Object.fromEntries(timed.map((t) => [t.file, t.ms])));
    }
    if (timed.length === 0 || count <= 0) return;
    const total = timed.reduce((sum, t) => sum + t.ms, 0);
    const lines = timed.slice(0, count).map((t) => {
      const share = total > 0 ? ((100 * t.ms) / total).toFixed(1) : "0.0";
      return `${(t.ms / 1000).toFixed(1).padStart(7)} s ${share.padStart(5)}%  ${t.project.padEnd(11)} ${t.file}`;
    });
    process.stdout.write(
      `\nSlowest ${lines.length} of ${timed.length} test files (file time, summed over workers: ${(total / 1000).toFixed(1)} s)\n${lines.join("\n")}\n`,
    );
  }
}
