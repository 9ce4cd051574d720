/** Execution names as a user types them: a name, or `latest` for the newest execution (README examples use it). */
import { cloudListExecutions, resolveStage } from "@tunelake/aws/index";
import { ExecutionNotFoundError, listExecutions } from "@tunelake/local/executions";

export const LATEST = "latest";

/** Resolves `latest` to the newest execution's name (locally, or on `stage`); any other name is returned as is. */
export async function resolveExecutionName(home: string, name: string, stage?: string): Promise<string> {
  if (name !== LATEST) return name;
  const newest = stage
    ? (await cloudListExecutions({ stage: await resolveStage(stage) }))[0]?.name
    : (await listExecutions(home))[0]?.name;
  if (!newest) {
    throw new ExecutionNotFoundError(
      `There is no execution yet${stage ? ` on stage ${stage}` : ` in ${home}`}, so "latest" names none. Start one with: npx tunelake run`,
    );
  }
  return newest;
}
