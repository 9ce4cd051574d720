/** What `run` and `redrive` share locally: config, Spotify source, the in-process handlers, progress, the summary. */
import { loadConfig } from "@tunelake/core/config/load";
import { createConsoleLogger } from "@tunelake/core/logger";
import type { LocalHandlers } from "@tunelake/local/engine";
import type { ExecutionRecord } from "@tunelake/local/executions";
import type { FaultName } from "@tunelake/local/faults";
import { createLocalHandlers } from "@tunelake/local/handlers";
import { EXIT_CODES, type GlobalOptions, printJson, SIGNAL_EXIT_CODES, whileStoppable } from "../context.ts";
import { plannedRequests } from "../extract-progress.ts";
import { createProgress } from "../progress.ts";
import { resolveSource, type SourceFlag } from "../spotify-source.ts";
import { printSparseColumns } from "./coverage.ts";
import { printSummary, summarize } from "./summary.ts";

export interface LocalRunOptions {
  config: string;
  source: SourceFlag;
  /** Faults for this run only (a redrive never gets any). */
  faults?: readonly FaultName[];
}

/**
 * Loads and checks the config before anything else, starts the Spotify source, runs `execute` with the handlers the
 * engine calls in-process, prints the summary (or JSON), and sets a non-zero exit code unless the run succeeded.
 */
export async function runLocally(
  g: GlobalOptions,
  options: LocalRunOptions,
  execute: (
    handlers: LocalHandlers,
    onEvent: ((event: unknown) => void) | undefined,
    signal: AbortSignal,
  ) => Promise<ExecutionRecord>,
): Promise<void> {
  const config = await loadConfig(options.config);
  const source = await resolveSource(options.source, options.faults ?? []);
  if (source.banner) process.stderr.write(`${source.banner}\n`);
  try {
    const handlers = createLocalHandlers({
      home: g.home,
      config,
      spotify: source.spotify,
      dataSource: source.dataSource,
      logger: createConsoleLogger(process.env.TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn"),
    });
    // Ctrl-C (or a kill) ends the execution ABORTED, recorded and unlocked, instead of leaving it RUNNING; a second
    // one exits at once (the listeners are gone, so Node's default applies).
    const stop = new AbortController();
    const record = await whileStoppable(stop, () => {
      const progress = g.json
        ? undefined
        : createProgress(undefined, { planned: plannedRequests(config), tty: Boolean(process.stderr.isTTY) });
      return execute(handlers, progress, stop.signal);
    });
    const summary = await summarize(g.home, record);
    if (g.json) printJson(summary);
    else printSummary(summary);
    if (!g.json && record.status === "SUCCEEDED") await printSparseColumns(g.home, record.date);
    if (record.status !== "SUCCEEDED") process.exitCode = EXIT_CODES.pipelineFailure;
    if (stop.signal.aborted) {
      // Handlers that were still running are abandoned (the record says ABORTED): exit now, as a killed process would.
      await source.close();
      process.exit(
        SIGNAL_EXIT_CODES[stop.signal.reason as keyof typeof SIGNAL_EXIT_CODES] ?? EXIT_CODES.pipelineFailure,
      );
    }
  } finally {
    await source.close();
  }
}
