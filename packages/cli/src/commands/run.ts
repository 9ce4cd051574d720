import { loadConfig } from "@tunelake/core/config/load";
import { assertRunDate, todayUtc } from "@tunelake/core/lake";
import { runLocalExecution } from "@tunelake/core/local/engine";
import { createConsoleLogger } from "@tunelake/core/logger";
import { createLocalHandlers } from "@tunelake/functions/local";
import { type GlobalOptions, printJson } from "../context.ts";
import { parseFaults } from "../faults.ts";
import { createProgress } from "../progress.ts";
import { resolveSource, type SourceFlag } from "../spotify-source.ts";
import { cloudRunCommand } from "./cloud.ts";
import { printSummary, summarize } from "./summary.ts";

export interface RunOptions {
  date?: string;
  config: string;
  source: SourceFlag;
  reprocess: boolean;
  resumeFrom?: string;
  injectFault: string[];
  stage?: string;
}

/** `tunelake run`: everything is checked (date, faults, config) before the first request. */
export async function runCommand(g: GlobalOptions, opts: RunOptions): Promise<void> {
  const faults = parseFaults(opts.injectFault);
  const date = assertRunDate(opts.date ?? todayUtc());
  const mode = opts.reprocess ? "reprocess" : "extract";
  if (opts.stage) {
    if (faults.length > 0) throw new Error("--inject-fault runs locally only; drop --stage.");
    await cloudRunCommand(g, opts.stage, { date, mode, resumeFrom: opts.resumeFrom });
    return;
  }
  const config = await loadConfig(opts.config);
  const source = await resolveSource(opts.source, faults);
  if (source.banner) process.stderr.write(`${source.banner}\n`);
  try {
    const handlers = createLocalHandlers({
      home: g.home,
      config,
      spotify: source.spotify,
      dataSource: source.dataSource,
      logger: createConsoleLogger(process.env.TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn"),
    });
    const record = await runLocalExecution({
      home: g.home,
      input: { date, mode, ...(opts.resumeFrom ? { resumeFrom: opts.resumeFrom } : {}) },
      handlers,
      faults,
      onEvent: g.json ? undefined : createProgress(),
    });
    const summary = await summarize(g.home, record);
    if (g.json) printJson(summary);
    else printSummary(summary);
    if (record.status !== "SUCCEEDED") process.exitCode = 1;
  } finally {
    await source.close();
  }
}
