import type { ResumableStage } from "@tunelake/core/workflow/state-names";
import type { Backend } from "../backend.ts";
import type { GlobalOptions } from "../context.ts";
import { followRun } from "./follow.ts";

export interface RunOptions {
  /** The run date (default: today, UTC). */
  date?: string;
  reprocess: boolean;
  /** Start the extract over instead of continuing an unfinished checkpoint. */
  refetch?: boolean;
  resumeFrom?: ResumableStage;
  /** Commander's `--no-wait`: false only starts the run. */
  wait: boolean;
}

/**
 * `tunelake run`: everything is checked before the first request: the faults when the backend is built (cli.ts), then
 * by `runs.start` the date, a reprocess's raw data, and the config.
 */
export async function runCommand(backend: Backend, g: GlobalOptions, opts: RunOptions): Promise<void> {
  await followRun(g, backend, { faults: backend.faults, wait: opts.wait }, (observer) =>
    backend.runs.start(
      {
        ...(opts.date ? { date: opts.date } : {}),
        mode: opts.reprocess ? "reprocess" : "extract",
        ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}),
        ...(opts.refetch ? { refetch: true } : {}),
      },
      observer,
    ),
  );
}
