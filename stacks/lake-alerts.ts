/**
 * Failure alerts: an encrypted SNS topic (the state machine's NotifyFailure publishes to it) with an optional email
 * subscription, and an EventBridge rule that also reports executions that end without reaching NotifyFailure
 * (timed out, aborted, or failed outside a Catch).
 */
import { Aws, type Stack } from "aws-cdk-lib";
import { EventField, Rule, RuleTargetInput } from "aws-cdk-lib/aws-events";
import { SnsTopic } from "aws-cdk-lib/aws-events-targets";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";

/** Terminal statuses that page someone. */
export const ALERT_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;

/** Key administration for the account, spelled out: the usual default key policy grants `kms:*`. */
const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
];

export interface LakeAlerts {
  topic: Topic;
  key: Key;
}

/**
 * Creates the topic and its key. SNS's AWS-managed key cannot be used: EventBridge may only publish to a topic
 * whose key policy lets events.amazonaws.com use the key, which needs a customer-managed key.
 */
export function createLakeAlerts(stack: Stack, props: { alertEmail?: string }): LakeAlerts {
  const key = new Key(stack, "AlertsKey", {
    description: "tunelake: encrypts the failure topic",
    enableKeyRotation: true,
    policy: new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: "KeyAdministration",
          principals: [new AccountRootPrincipal()],
          actions: KEY_ADMIN_ACTIONS,
          resources: ["*"],
        }),
        new PolicyStatement({
          sid: "AccountUseThroughSns",
          principals: [new AccountRootPrincipal()],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: { StringEquals: { "kms:ViaService": `sns.${Aws.REGION}.amazonaws.com` } },
        }),
        new PolicyStatement({
          sid: "EventBridgePublishes",
          principals: [new ServicePrincipal("events.amazonaws.com")],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
        }),
      ],
    }),
  });
  const topic = new Topic(stack, "FailureTopic", {
    displayName: "tunelake failures",
    masterKey: key,
    enforceSSL: true,
  });
  if (props.alertEmail) topic.addSubscription(new EmailSubscription(props.alertEmail));
  return { topic, key };
}

/** The EventBridge rule: executions of this state machine that end FAILED, TIMED_OUT or ABORTED -> the topic. */
export function createFailureRule(
  stack: Stack,
  props: { stage: string; stateMachine: IStateMachine; topic: Topic },
): Rule {
  const name = EventField.fromPath("$.detail.name");
  const status = EventField.fromPath("$.detail.status");
  const arn = EventField.fromPath("$.detail.executionArn");
  return new Rule(stack, "FailureRule", {
    description: "tunelake: notify on failed, timed out and aborted executions",
    eventPattern: {
      source: ["aws.states"],
      detailType: ["Step Functions Execution Status Change"],
      detail: { status: [...ALERT_STATUSES], stateMachineArn: [props.stateMachine.stateMachineArn] },
    },
    targets: [
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromText(
          `tunelake execution ${name} ended ${status}. Inspect it with \`tunelake history ${name} --stage ${props.stage}\` or in the Step Functions console (${arn}); resume it with \`tunelake redrive ${name} --stage ${props.stage}\`.`,
        ),
      }),
    ],
  });
}
