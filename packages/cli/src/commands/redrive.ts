import { NotResumableError } from "@tunelake/core/errors";
import type { Backend } from "../backend.ts";
import type { GlobalOptions } from "../context.ts";
import { resolveExecutionName } from "../execution-name.ts";
import { followRun } from "./follow.ts";

/**
 * `tunelake redrive <name>`: resumes a failed execution at the stage that failed (on a stage, as a new execution of
 * the same date); injected faults do not apply.
 */
export async function redriveCommand(
  backend: Backend,
  g: GlobalOptions,
  given: string,
  opts: { wait: boolean },
): Promise<void> {
  const name = await resolveExecutionName(backend, given);
  // An unknown name, or an execution that cannot be redriven, is said before any Spotify source starts (and before
  // its SAMPLE DATA banner).
  const { status, date } = await backend.runs.describe(name);
  if (status === "SUCCEEDED" || status === "RUNNING") {
    throw new NotResumableError({
      name,
      reason: "status",
      status,
      date,
      redrivable: ["FAILED", "TIMED_OUT", "ABORTED"],
      flag: backend.flag,
    });
  }
  await followRun(
    g,
    backend,
    { wait: opts.wait },
    async (observer) => (await backend.runs.redrive(name, observer)).execution,
  );
}
