import { withBackend } from "../backend.ts";
import type { GlobalOptions } from "../context.ts";
import { resolveExecutionName } from "../execution-name.ts";
import type { SourceFlag } from "../spotify-source.ts";
import { followRun } from "./follow.ts";

/**
 * `tunelake redrive <name>`: resumes a failed execution at the stage that failed (on a stage, as a new execution of
 * the same date); injected faults do not apply.
 */
export async function redriveCommand(
  g: GlobalOptions,
  given: string,
  opts: { config: string; source: SourceFlag; stage?: string; wait: boolean },
): Promise<void> {
  await withBackend(g, { stage: opts.stage, config: opts.config, source: opts.source }, async (backend) => {
    const name = await resolveExecutionName(backend, given);
    // An unknown name is said before any Spotify source starts.
    await backend.runs.describe(name);
    await followRun(
      g,
      backend,
      { wait: opts.wait },
      async (observer) => (await backend.runs.redrive(name, observer)).execution,
    );
  });
}
