/**
 * Test fixtures for the cloud mode over moto_server: a stage's outputs pointing at moto resources, and a small
 * stand-in state machine. The real definition cannot run in moto (its Tasks call Lambda, Glue and Athena), so the
 * stand-in keeps only what the cloud mode reads: the input Prepare takes, and after a caught error the state with
 * `failure.stage` passed to NotifyFailure and then to the Fail state, exactly as the real definition does.
 */

import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { STATE_NAMES as S } from "@tunelake/core/workflow/state-names";
import { MOTO_ACCOUNT, MOTO_REGION } from "./moto-server.ts";

export const STAND_IN_DEFINITION = {
  StartAt: S.Prepare,
  States: {
    [S.Prepare]: { Type: "Pass", Next: S.Route },
    [S.Route]: {
      Type: "Choice",
      Choices: [
        { Variable: "$.resumeFrom", IsPresent: true, Next: S.Succeeded },
        { Variable: "$.hold", IsPresent: true, Next: "Hold" },
        { Variable: "$.holdLong", IsPresent: true, Next: "HoldLong" },
        // A reprocess runs until stopped: what a caller's signal is tested on.
        { Variable: "$.mode", StringEquals: "reprocess", Next: "HoldLong" },
      ],
      Default: S.Transform,
    },
    Hold: { Type: "Wait", Seconds: 1, Next: S.Succeeded },
    // Long enough to be stopped while it runs.
    HoldLong: { Type: "Wait", Seconds: 30, Next: S.Succeeded },
    [S.Transform]: { Type: "Pass", Next: S.TransformFailed },
    [S.TransformFailed]: {
      Type: "Pass",
      Parameters: { stage: S.Transform, Error: "TransformError", Cause: "tracks: bad raw line" },
      ResultPath: "$.failure",
      Next: S.NotifyFailure,
    },
    [S.NotifyFailure]: { Type: "Pass", Next: S.Failed },
    [S.Failed]: { Type: "Fail", ErrorPath: "$.failure.Error", CausePath: "$.failure.Cause" },
    [S.Succeeded]: { Type: "Succeed" },
  },
};

/** Outputs of a stage whose state machine and workgroup exist in moto. */
export function motoStageOutputs(
  stage: string,
  stateMachineArn: string,
  workGroup = `${stage}-tunelake`,
): StageOutputs {
  return {
    stage,
    stateMachineArn,
    rawBucket: `${stage}-raw`,
    curatedBucket: `${stage}-curated`,
    athenaResultsBucket: `${stage}-athena-results`,
    glueDatabase: `tunelake_${stage}`,
    crawler: `${stage}-tunelake-curated`,
    workGroup,
    failureTopicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:${stage}-failures`,
    region: MOTO_REGION,
    extractFunction: `${stage}-extract`,
    transformFunction: `${stage}-transform`,
  };
}
