/**
 * The failure rule's message (docs/deploy.md "Alerts by email"): what the notifier Lambda publishes when an execution
 * ends FAILED, TIMED_OUT or ABORTED, and when it publishes nothing because NotifyFailure already did.
 *
 * The "Step Functions Execution Status Change" event carries no error (AWS's Step Functions guide shows `detail` with
 * executionArn, stateMachineArn, name, status, start and stop dates, input and output only), so the notifier reads the
 * execution with DescribeExecution and decides here.
 */
import { redactSecrets } from "../redact.ts";
import { NOTIFIED_ERROR_PREFIX } from "./definition.ts";

/** The statuses the failure rule matches: every end of an execution that is not a success. */
export const FAILURE_STATUSES = ["FAILED", "TIMED_OUT", "ABORTED"] as const;
export type FailureStatus = (typeof FAILURE_STATUSES)[number];

/** The longest cause a message carries (SNS allows 256 KB; an e-mail should stay readable). */
export const CAUSE_MAX_CHARS = 1500;

/** An execution's end: the status from the event, the rest from DescribeExecution. */
export interface ExecutionEnd {
  executionArn: string;
  name: string;
  /** The status the event reported. */
  status: FailureStatus;
  /** DescribeExecution's status now (a redrive may have started since the event). */
  describedStatus?: string;
  error?: string;
  cause?: string;
  /** DescribeExecution's redriveCount: how many times the execution was redriven (0 if never). */
  redriveCount?: number;
}

export interface FailureAlert {
  subject: string;
  message: string;
}

/**
 * True when the state machine's own NotifyFailure has told the topic about this end already: a FAILED execution
 * whose error is the one `Failed` raises after NotifyFailure published (the caught error behind
 * {@link NOTIFIED_ERROR_PREFIX}), on its first attempt. After a redrive the error says nothing about this attempt: AWS's
 * RedriveExecution restarts at the unsuccessful step, which for a caught failure is `Failed` itself, so it fails again
 * without NotifyFailure running, and only this message reports it.
 */
export function notifiedByStateMachine(end: ExecutionEnd): boolean {
  return (
    end.status === "FAILED" &&
    end.describedStatus === "FAILED" &&
    (end.redriveCount ?? 0) === 0 &&
    (end.error ?? "").startsWith(NOTIFIED_ERROR_PREFIX)
  );
}

/** The region of a Step Functions ARN (arn:aws:states:<region>:<account>:execution:<machine>:<name>). */
const regionOf = (arn: string): string => arn.split(":")[3] ?? "us-east-1";

/** `text` without credentials, cut to `max` characters. */
function clean(text: string, max: number): string {
  const redacted = redactSecrets(text);
  return redacted.length > max ? `${redacted.slice(0, max)}... (${redacted.length - max} more characters)` : redacted;
}

/** The one thing to do next, by how the execution ended. */
function nextStep(end: ExecutionEnd, stage: string): string {
  const history = `tunelake history ${end.name} --stage ${stage}`;
  const redrive = `tunelake redrive ${end.name} --stage ${stage}`;
  switch (end.status) {
    case "ABORTED":
      return `Someone or something stopped it. If that was not intended, resume it: ${redrive}`;
    case "TIMED_OUT":
      return `It ran past the state machine's timeout. See which state was running (${history}), then resume it: ${redrive}`;
    default:
      return `See the state that failed (${history}), fix the cause, then resume it: ${redrive}`;
  }
}

/**
 * The alert for an execution's end, or undefined when NotifyFailure has already reported it
 * ({@link notifiedByStateMachine}). The cause is redacted (packages/core/src/redact.ts) and truncated.
 */
export function failureAlert(
  end: ExecutionEnd,
  options: { stage: string; warnings?: readonly string[] },
): FailureAlert | undefined {
  if (notifiedByStateMachine(end)) return undefined;
  const region = regionOf(end.executionArn);
  const attempt = (end.redriveCount ?? 0) > 0 ? ` (redrive ${end.redriveCount})` : "";
  const stale =
    end.describedStatus !== undefined && end.describedStatus !== end.status
      ? ` (it is ${end.describedStatus} now: redriven since)`
      : "";
  const error = stale ? "unknown" : (end.error ?? "none given");
  const cause = stale ? "unknown" : clean(end.cause ?? "none given", CAUSE_MAX_CHARS);
  const message = [
    `tunelake execution ${end.name} ended ${end.status}${attempt}${stale}`,
    `Error: ${clean(error, 200)}`,
    `Cause: ${cause}`,
    `Console: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${end.executionArn}`,
    `Next: ${nextStep(end, options.stage)}`,
    ...(options.warnings ?? []).map((warning) => `Warning: ${warning}`),
  ].join("\n");
  // SNS subjects: at most 100 printable ASCII characters, no line breaks.
  const subject = `tunelake ${options.stage}: run ${end.name} ended ${end.status}`.slice(0, 100);
  return { subject, message };
}

/**
 * The alert for warnings that come with a failure NotifyFailure already reported (its message is built by the state
 * machine, so nothing can be added to it): one more message, about the warnings only. Undefined without warnings.
 */
export function warningAlert(
  end: Pick<ExecutionEnd, "name">,
  options: { stage: string; warnings: readonly string[] },
): FailureAlert | undefined {
  if (options.warnings.length === 0) return undefined;
  const message = [
    `tunelake execution ${end.name} failed (reported in the message before this one), and:`,
    ...options.warnings.map((warning) => `Warning: ${warning}`),
  ].join("\n");
  const subject = `tunelake ${options.stage}: warning with run ${end.name}`.slice(0, 100);
  return { subject, message };
}

/** How to renew the user refresh token a stage uses (tunelake auth, then SST's secret for the stage). */
export const stageRenewCommand = (stage: string): string =>
  `npx tunelake auth, then npx sst secrets set SPOTIFY_REFRESH_TOKEN <the new token> --stage ${stage}`;
