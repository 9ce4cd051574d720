import { redriveLocalExecution } from "@tunelake/local/engine";
import { getExecution } from "@tunelake/local/executions";
import type { GlobalOptions } from "../context.ts";
import { resolveExecutionName } from "../execution-name.ts";
import type { SourceFlag } from "../spotify-source.ts";
import { cloudRedriveCommand } from "./cloud.ts";
import { runLocally } from "./local-run.ts";

/** `tunelake redrive <name>`: resumes a failed execution at the stage that failed; injected faults do not apply. */
export async function redriveCommand(
  g: GlobalOptions,
  given: string,
  opts: { config: string; source: SourceFlag; stage?: string },
): Promise<void> {
  const name = await resolveExecutionName(g.home, given, opts.stage);
  if (opts.stage) return cloudRedriveCommand(g, opts.stage, name);
  // An unknown name is said before any Spotify source starts.
  await getExecution(g.home, name);
  await runLocally(g, { config: opts.config, source: opts.source }, (handlers, onEvent, signal) =>
    redriveLocalExecution({ home: g.home, name, handlers, onEvent, signal }),
  );
}
