/**
 * The one definition the console draws: rendered as the local engine runs it, or with a stage's names (only the
 * resources differ; the states and transitions are the same).
 */
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { type DefinitionSubstitutions, renderDefinition } from "@tunelake/core/workflow/definition";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { localDefinition } from "@tunelake/local/engine";

/** The local engine's definition, as the engine renders it (its poll settings are written there only). */
export { localDefinition };

/** A stage's definition, its ARNs built from the stage outputs (account and region from the state machine ARN). */
export function stageDefinition(outputs: StageOutputs): StateMachineDefinition {
  const [, , , region = outputs.region, account = ""] = outputs.stateMachineArn.split(":");
  const fn = (name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;
  const subs: DefinitionSubstitutions = {
    ExtractFunctionArn: fn(outputs.extractFunction),
    TransformFunctionArn: fn(outputs.transformFunction),
    CrawlerName: outputs.crawler,
    AthenaWorkGroup: outputs.workGroup,
    GlueDatabase: outputs.glueDatabase,
    FailureTopicArn: outputs.failureTopicArn,
  };
  return renderDefinition(subs);
}
