/** Execution names as a user types them: a name, or `latest` for the newest execution (README examples use it). */
import { ExecutionNotFoundError } from "@tunelake/core/errors";
import { assertExecutionName } from "@tunelake/core/workflow/run-names";
import type { Backend } from "./backend.ts";

export const LATEST = "latest";

/** Resolves `latest` to the newest execution's name (locally, or on the stage); any other name is returned as is. */
export async function resolveExecutionName(backend: Backend, name: string): Promise<string> {
  // One pattern for every name a user types, for either backend (a stage's execution names follow it too).
  if (name !== LATEST) return assertExecutionName(name);
  const newest = (await backend.runs.list())[0]?.name;
  if (!newest) {
    throw new ExecutionNotFoundError({
      name: LATEST,
      location: `${backend.runs.location} (there is no execution yet)`,
      listCommand: `npx tunelake executions${backend.flag}; start one with: npx tunelake run${backend.flag}`,
    });
  }
  return newest;
}
