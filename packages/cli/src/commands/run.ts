import { NoRawDataError } from "@tunelake/core/errors";
import { assertRunDate, manifestKey, todayUtc } from "@tunelake/core/lake";
import type { ResumableStage } from "@tunelake/core/workflow/state-names";
import { parseFaults } from "@tunelake/local/faults";
import { withBackend } from "../backend.ts";
import type { GlobalOptions } from "../context.ts";
import { UsageError } from "../errors.ts";
import type { SourceFlag } from "../spotify-source.ts";
import { followRun } from "./follow.ts";

export interface RunOptions {
  date?: string;
  config: string;
  source: SourceFlag;
  reprocess: boolean;
  /** Start the extract over instead of continuing an unfinished checkpoint. */
  refetch?: boolean;
  resumeFrom?: ResumableStage;
  injectFault: string[];
  stage?: string;
  /** Commander's `--no-wait`: false only starts the run. */
  wait: boolean;
}

/** `tunelake run`: everything is checked (faults, date, config) before the first request. */
export async function runCommand(g: GlobalOptions, opts: RunOptions): Promise<void> {
  const faults = parseFaults(opts.injectFault);
  const date = assertRunDate(opts.date ?? todayUtc());
  if (opts.stage && faults.length > 0) throw new UsageError("--inject-fault runs locally only; drop --stage.");
  const input = {
    date,
    mode: opts.reprocess ? ("reprocess" as const) : ("extract" as const),
    ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}),
    ...(opts.refetch ? { refetch: true } : {}),
  };
  const backendOptions = { stage: opts.stage, config: opts.config, source: opts.source, faults, date };
  await withBackend(g, backendOptions, async (backend) => {
    // As `tunelake reprocess` does: a date never extracted is refused before an execution takes the date's name (and
    // fails, and notifies).
    if (input.mode === "reprocess" && (await backend.raw().list(manifestKey(date))).length === 0) {
      throw new NoRawDataError({
        date,
        location: backend.kind === "local" ? "the local raw zone" : "the raw bucket",
        manifest: manifestKey(date),
      });
    }
    await followRun(g, backend, { faults, wait: opts.wait }, (observer) => backend.runs.start(input, observer));
  });
}
