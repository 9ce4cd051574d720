/**
 * Failure alerts, at least one notification per failed execution (docs/operations.md "Alerts"): an encrypted SNS topic with an
 * optional email subscription. A caught failure is reported by the state machine's own NotifyFailure state (every
 * Catch leads there, and its message has the failed stage, the error, the cause and the redrive command), after which
 * `Failed` raises the error behind the notified marker. The EventBridge rule reports every end besides: executions that
 * end TIMED_OUT or ABORTED, and FAILED ones (States.Runtime, States.DataLimitExceeded, a NotifyFailure that could not
 * publish; and, since the event as AWS documents it carries no error, caught failures a second time: see
 * {@link failureEventPattern}). A schedule that did not run is caught by the missed-run alarm: no execution
 * succeeded for 26 hours. The topic's policy lets exactly these two publishers in, each scoped to its own rule or alarm.
 */
import { Aws, Duration, type Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { EventField, type IRuleTarget, Rule, RuleTargetInput } from "aws-cdk-lib/aws-events";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { NOTIFIED_ERROR_PREFIX } from "../packages/core/src/workflow/definition.ts";

/** Terminal statuses the rule always reports: they never reach NotifyFailure. */
export const ALERT_STATUSES = ["TIMED_OUT", "ABORTED"] as const;

/**
 * The failure rule's event pattern. What the "Step Functions Execution Status Change" event's `detail` carries, per
 * AWS's Step Functions guide (the event examples of "EventBridge (CloudWatch Events) for Step Functions execution
 * status changes") and the aws.states EventBridge schema: executionArn, stateMachineArn, name, status, startDate,
 * stopDate, input, output (null when the execution failed), and input/output details. No `error` and no `cause`, though
 * the guide also says `detail` holds what DescribeExecution returns, which has both. Nothing the documented event
 * carries tells a FAILED execution that NotifyFailure reported from one no Catch saw, so the filter that always works
 * is on `status`: FAILED, TIMED_OUT and ABORTED all match, and a caught failure costs a second, shorter message. Should
 * the event carry DescribeExecution's `error`, the `anything-but` on the notified marker drops that second message.
 */
export function failureEventPattern(stateMachineArn: string) {
  return {
    source: ["aws.states"],
    detailType: ["Step Functions Execution Status Change"],
    detail: {
      stateMachineArn: [stateMachineArn],
      $or: [
        { status: [...ALERT_STATUSES] },
        { status: ["FAILED"], error: [{ "anything-but": { prefix: NOTIFIED_ERROR_PREFIX } }] },
        { status: ["FAILED"], error: [{ exists: false }] },
      ],
    },
  };
}

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
          sid: "CloudWatchAlarmsPublish",
          principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
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

/**
 * The EventBridge rule: executions of this state machine that end TIMED_OUT or ABORTED, or FAILED without
 * NotifyFailure having published -> the topic. The topic policy lets this rule (and only it) publish.
 */
export function createFailureRule(
  stack: Stack,
  props: { stage: string; stateMachine: IStateMachine; topic: Topic },
): Rule {
  const name = EventField.fromPath("$.detail.name");
  const status = EventField.fromPath("$.detail.status");
  const error = EventField.fromPath("$.detail.error");
  const arn = EventField.fromPath("$.detail.executionArn");
  const input = RuleTargetInput.fromText(
    `tunelake execution ${name} ended ${status} (${error}). Inspect it with \`tunelake history ${name} --stage ${props.stage}\` or in the Step Functions console (${arn}); resume it with \`tunelake redrive ${name} --stage ${props.stage}\`.`,
  );
  // Not aws-events-targets' SnsTopic: it grants events.amazonaws.com on the topic without naming the rule.
  const target: IRuleTarget = { bind: () => ({ arn: props.topic.topicArn, input }) };
  const rule = new Rule(stack, "FailureRule", {
    description: "tunelake: notify on failed executions NotifyFailure did not report, and on timed out or aborted ones",
    eventPattern: failureEventPattern(props.stateMachine.stateMachineArn),
    targets: [target],
  });
  props.topic.addToResourcePolicy(
    new PolicyStatement({
      sid: "FailureRulePublishes",
      principals: [new ServicePrincipal("events.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [props.topic.topicArn],
      conditions: { ArnEquals: { "aws:SourceArn": rule.ruleArn } },
    }),
  );
  return rule;
}

/**
 * The missed-run alarm: no execution of the state machine SUCCEEDED in the last `hours` hours (the schedule did not
 * fire, was disabled, or every run failed) -> the topic. Hourly periods with missing data counted as breaching, so a
 * state machine that never runs alarms too.
 */
export function createMissedRunAlarm(
  stack: Stack,
  props: { stage: string; stateMachine: IStateMachine; topic: Topic; hours: number },
): Alarm {
  const succeeded = new Metric({
    namespace: "AWS/States",
    metricName: "ExecutionsSucceeded",
    dimensionsMap: { StateMachineArn: props.stateMachine.stateMachineArn },
    statistic: "Sum",
    period: Duration.hours(1),
  });
  const alarm = new Alarm(stack, "MissedRunAlarm", {
    alarmDescription: `tunelake ${props.stage}: no execution succeeded in the last ${props.hours} hours. Check the schedule and the latest runs: tunelake executions --stage ${props.stage}`,
    metric: succeeded,
    threshold: 1,
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: props.hours,
    datapointsToAlarm: props.hours,
    treatMissingData: TreatMissingData.BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  // CloudWatch publishes alarm actions as cloudwatch.amazonaws.com: without this the alarm fires and nobody hears it.
  props.topic.addToResourcePolicy(
    new PolicyStatement({
      sid: "MissedRunAlarmPublishes",
      principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [props.topic.topicArn],
      conditions: {
        ArnEquals: { "aws:SourceArn": alarm.alarmArn },
        StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
      },
    }),
  );
  return alarm;
}
