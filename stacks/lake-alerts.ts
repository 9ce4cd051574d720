/**
 * Failure alerts, exactly one notification per failed execution (docs/operations.md "Alerts"): an encrypted SNS topic
 * with an optional email subscription. A caught failure is reported by the state machine's own NotifyFailure state
 * (every Catch leads there, and its message has the failed stage, the error, the cause and the redrive command), after
 * which `Failed` raises the error behind the notified marker. The EventBridge failure rule matches every execution of
 * this state machine that ends FAILED, TIMED_OUT or ABORTED and invokes the failure notifier
 * (packages/functions/src/notify-failure.ts), which reads the execution's error with DescribeExecution (the event
 * carries none) and publishes unless the error is the marked one NotifyFailure leaves: States.Runtime,
 * States.DataLimitExceeded, a NotifyFailure that could not publish, a timeout, an abort, a redrive that failed again.
 * The notifier's own errors (after Lambda's retries) and a schedule that did not run (no execution succeeded for 26
 * hours) reach the topic through CloudWatch alarms. The topic's policy lets exactly those alarms in.
 */
import { Aws, Duration, type Stack } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { App } from "sst/constructs";
import { FAILURE_STATUSES } from "../packages/core/src/workflow/failure-alert.ts";

/**
 * The failure rule's event pattern: every end of this state machine's executions that is not a success. What the
 * "Step Functions Execution Status Change" event's `detail` carries, per AWS's Step Functions guide (the event
 * examples of "EventBridge (CloudWatch Events) for Step Functions execution status changes") and the aws.states
 * EventBridge schema: executionArn, stateMachineArn, name, status, startDate, stopDate, input, output (null when the
 * execution failed), and input/output details. No `error` and no `cause`, so no pattern can drop the failures
 * NotifyFailure already reported (an `anything-but` on the error would never see one): the notifier does, from
 * DescribeExecution.
 */
export function failureEventPattern(stateMachineArn: string) {
  return {
    source: ["aws.states"],
    detailType: ["Step Functions Execution Status Change"],
    detail: {
      stateMachineArn: [stateMachineArn],
      status: [...FAILURE_STATUSES],
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
 * Creates the topic and its key. SNS's AWS-managed key cannot be used: CloudWatch may only publish to a topic whose
 * key policy lets cloudwatch.amazonaws.com use the key, which needs a customer-managed key.
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

/** Lambda's retries of an async invoke whose function failed (Lambda's default, said out loud). */
export const NOTIFIER_RETRY_ATTEMPTS = 2;

/**
 * The failure rule: executions of this state machine that end FAILED, TIMED_OUT or ABORTED -> the failure notifier,
 * which publishes unless NotifyFailure already did. EventBridge invokes it asynchronously and retries a delivery that
 * fails for up to 24 hours (its default retry policy); Lambda retries a failed invocation
 * {@link NOTIFIER_RETRY_ATTEMPTS} times, and the notifier's errors alarm ({@link createNotifierErrorsAlarm}) tells
 * the topic when an alert could not be sent.
 */
export function createFailureRule(stack: Stack, props: { stateMachine: IStateMachine; notifier: IFunction }): Rule {
  // Under `sst dev` SST sets the function's async-invoke config itself (no retries of a live invocation), and a
  // second one is refused at synth.
  if ((stack.node.root as App).mode !== "dev") {
    props.notifier.configureAsyncInvoke({ retryAttempts: NOTIFIER_RETRY_ATTEMPTS, maxEventAge: Duration.hours(6) });
  }
  return new Rule(stack, "FailureRule", {
    description: "tunelake: executions that end FAILED, TIMED_OUT or ABORTED -> the failure notifier",
    eventPattern: failureEventPattern(props.stateMachine.stateMachineArn),
    // aws-events-targets' LambdaFunction: the function's resource policy lets events.amazonaws.com invoke it from
    // this rule only (aws:SourceArn).
    targets: [new LambdaFunction(props.notifier)],
  });
}

/**
 * The notifier's errors alarm: any failed invocation in 5 minutes (a DescribeExecution or Publish that failed, retries
 * included) -> the topic, so a failure whose alert could not be sent is still heard of. Publishing may be what
 * failed; then this alarm's message may not arrive either, and the function's log group holds the event.
 */
export function createNotifierErrorsAlarm(
  stack: Stack,
  props: { stage: string; notifier: IFunction; topic: Topic },
): Alarm {
  const alarm = new Alarm(stack, "NotifierErrorsAlarm", {
    alarmDescription: `tunelake ${props.stage}: the failure notifier failed, so an execution's failure may not have been reported. Check the latest runs: tunelake executions --stage ${props.stage}`,
    metric: props.notifier.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
    threshold: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  allowAlarmToPublish(props.topic, alarm, "NotifierErrorsAlarmPublishes");
  return alarm;
}

/**
 * CloudWatch publishes alarm actions as cloudwatch.amazonaws.com: without this statement the alarm fires and nobody
 * hears it. Scoped to the one alarm.
 */
function allowAlarmToPublish(topic: Topic, alarm: Alarm, sid: string): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid,
      principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
      actions: ["sns:Publish"],
      resources: [topic.topicArn],
      conditions: {
        ArnEquals: { "aws:SourceArn": alarm.alarmArn },
        StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
      },
    }),
  );
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
  allowAlarmToPublish(props.topic, alarm, "MissedRunAlarmPublishes");
  return alarm;
}
