/** A deployed stage's state machine definition: the one definition, its resource ARNs built from the stage's outputs. */
import type { StageOutputs } from "../stage-outputs.ts";
import { type DefinitionSubstitutions, renderDefinition } from "./definition.ts";
import type { StateMachineDefinition } from "./state-names.ts";

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
