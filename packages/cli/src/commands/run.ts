import { ConfigError } from "@tunelake/core/errors";
import { assertRunDate, todayUtc } from "@tunelake/core/lake";
import type { ResumableStage } from "@tunelake/core/workflow/state-names";
import { runLocalExecution } from "@tunelake/local/engine";
import { parseFaults } from "@tunelake/local/faults";
import type { GlobalOptions } from "../context.ts";
import type { SourceFlag } from "../spotify-source.ts";
import { cloudRunCommand } from "./cloud.ts";
import { runLocally } from "./local-run.ts";

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
}

/** `tunelake run`: everything is checked (faults, date, config) before the first request. */
export async function runCommand(g: GlobalOptions, opts: RunOptions): Promise<void> {
  const faults = parseFaults(opts.injectFault);
  const date = assertRunDate(opts.date ?? todayUtc());
  const resumeFrom = {
    ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}),
    ...(opts.refetch ? { refetch: true } : {}),
  };
  if (opts.stage) {
    if (faults.length > 0) throw new ConfigError("--inject-fault runs locally only; drop --stage.");
    await cloudRunCommand(g, opts.stage, { date, reprocess: opts.reprocess, ...resumeFrom });
    return;
  }
  const mode = opts.reprocess ? "reprocess" : "extract";
  await runLocally(g, { config: opts.config, source: opts.source, faults }, (handlers, onEvent, signal) =>
    runLocalExecution({ home: g.home, input: { date, mode, ...resumeFrom }, handlers, faults, onEvent, signal }),
  );
}
