import { loadConfig } from "@tunelake/core/config/load";
import { redriveLocalExecution } from "@tunelake/core/local/engine";
import { createConsoleLogger } from "@tunelake/core/logger";
import { createLocalHandlers } from "@tunelake/functions/local";
import { type GlobalOptions, printJson } from "../context.ts";
import { createProgress } from "../progress.ts";
import { resolveSource, type SourceFlag } from "../spotify-source.ts";
import { cloudRedriveCommand } from "./cloud.ts";
import { printSummary, summarize } from "./summary.ts";

/** `tunelake redrive <name>`: resumes a failed execution at the stage that failed; injected faults do not apply. */
export async function redriveCommand(
  g: GlobalOptions,
  name: string,
  opts: { config: string; source: SourceFlag; stage?: string },
): Promise<void> {
  if (opts.stage) return cloudRedriveCommand(g, opts.stage, name);
  const config = await loadConfig(opts.config);
  const source = await resolveSource(opts.source);
  try {
    const handlers = createLocalHandlers({
      home: g.home,
      config,
      spotify: source.spotify,
      dataSource: source.dataSource,
      logger: createConsoleLogger("warn"),
    });
    const record = await redriveLocalExecution({
      home: g.home,
      name,
      handlers,
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
