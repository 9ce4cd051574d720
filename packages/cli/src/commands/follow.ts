/**
 * What `run` and `redrive` share in both modes: live progress from the execution's history events, the summary read
 * from the execution's history (Validate's own results, never the checks run again), the mostly empty columns, and
 * the exit status.
 */
import type { ExecutionDetails, RunObserver } from "@tunelake/core/ports";
import { readRefreshTokenAge, refreshTokenWarning } from "../auth-record.ts";
import type { Backend } from "../backend.ts";
import {
  cliEnv,
  EXIT_CODES,
  exitNow,
  type GlobalOptions,
  printJson,
  SIGNAL_EXIT_CODES,
  setExitCode,
  stderr,
  stdout,
  whileStoppable,
} from "../context.ts";
import { plannedRequests } from "../extract-progress.ts";
import { createProgress } from "../progress.ts";
import { widthOf, wrap } from "../wrap.ts";
import { findSparseColumns, gapNotes } from "./coverage.ts";
import { explainEmptyTables, readManifestFacts } from "./empty-tables.ts";
import { printSummary, summarize } from "./summary.ts";

export interface FollowOptions {
  /** Faults injected into this run (for the next step the summary suggests); none for a redrive. */
  faults?: readonly string[];
  /** False: only start it (`--no-wait`), print where to follow it, and do not wait for the end. */
  wait?: boolean;
}

/**
 * Runs `start` with a progress observer (locally the run loads its config and starts the Spotify source first, before
 * anything is written), and prints the outcome. Ctrl-C (or a kill) stops the execution, which ends ABORTED and can be
 * redriven; a second one exits at once (the listeners are gone, so Node's default applies).
 */
export async function followRun(
  g: GlobalOptions,
  backend: Backend,
  options: FollowOptions,
  start: (observer: RunObserver) => Promise<ExecutionDetails>,
): Promise<void> {
  const wait = options.wait ?? true;
  const stop = new AbortController();
  const execution = await whileStoppable(stop, () => {
    const planned = () => {
      const config = backend.config();
      return config ? plannedRequests(config) : undefined;
    };
    const onEvent = g.json || !wait ? undefined : createProgress(undefined, { planned, tty: Boolean(stderr().isTTY) });
    return start({ ...(onEvent ? { onEvent } : {}), signal: stop.signal, follow: wait });
  });
  if (!wait && execution.status === "RUNNING") {
    if (g.json) return printJson(execution);
    stdout().write(
      `Started ${execution.name}\n${execution.executionArn}\nFollow it with: npx tunelake history ${execution.name}${backend.flag}\n`,
    );
    return;
  }
  const summary = await summarize(backend.runs, { ...execution, faults: options.faults ?? [] }, backend.flag);
  if (g.json) printJson(summary);
  else {
    // The empty tables and the columns left mostly empty, explained once under the table, from the date's manifest
    // and column_stats (nothing when they cannot be read). Empty tables the config did not ask for are named in their
    // note instead of taking a row each, so the summary stays one screen as sources are added.
    const width = widthOf(stdout());
    const succeeded = execution.status === "SUCCEEDED";
    const empty = succeeded
      ? explainEmptyTables(
          summary.tables,
          await readManifestFacts(backend.raw(), execution.date).catch(() => undefined),
          width,
        )
      : { notes: [], notAskedFor: new Set<string>() };
    const notes = succeeded
      ? [
          ...empty.notes,
          ...gapNotes(await findSparseColumns(backend.query(), backend.raw(), execution.date).catch(() => []), width),
        ]
      : [];
    const shown = { ...summary, tables: summary.tables.filter((t) => !empty.notAskedFor.has(t.table)) };
    // Spotify expires a refresh token 6 months after authorization: said from 30 days before, on every run.
    const token = cliEnv().SPOTIFY_REFRESH_TOKEN?.trim();
    const age = token ? await readRefreshTokenAge(g.home, token).catch(() => undefined) : undefined;
    const warning = age ? refreshTokenWarning(age) : undefined;
    printSummary(shown, undefined, notes, warning ? wrap(warning, width, "  ") : []);
  }
  if (execution.status !== "SUCCEEDED") setExitCode(EXIT_CODES.pipelineFailure);
  if (stop.signal.aborted) {
    // Handlers that were still running are abandoned (the execution says ABORTED): once the backend is closed (the
    // invocation's, cli.ts), the process exits at once, as a killed process would.
    exitNow(SIGNAL_EXIT_CODES[stop.signal.reason as keyof typeof SIGNAL_EXIT_CODES] ?? EXIT_CODES.pipelineFailure);
  }
}
