/**
 * Failure notifier Lambda: the failure rule's target. Reads the ended execution (DescribeExecution: the event carries
 * no error) and publishes one alert to the failure topic, unless the state machine's NotifyFailure already did. When
 * the stage's user refresh token expires within 30 days (or has), the alert says so; after a failure NotifyFailure
 * reported, that warning is the one message the notifier publishes.
 */
import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { PublishCommand } from "@aws-sdk/client-sns";
import { formatIssues } from "@tunelake/core/config/load";
import { InputError } from "@tunelake/core/errors";
import { refreshTokenAge, refreshTokenWarning } from "@tunelake/core/spotify/refresh-token";
import { failureAlert, stageRenewCommand, warningAlert } from "@tunelake/core/workflow/failure-alert";
import type { Context } from "aws-lambda";
import * as v from "valibot";
import type { NotifierDeps } from "./handler-deps.ts";
import { ExecutionEndEventSchema } from "./input.ts";

/**
 * The warnings that go with a failure: the user refresh token expiring within 30 days, or expired (Spotify expires it
 * 6 months after authorization; its parameter's last change stands for that). A warning that cannot be read is
 * logged and left out: it never keeps the failure from being reported.
 */
async function warningsFor(deps: NotifierDeps): Promise<string[]> {
  if (!deps.refreshTokenSetAt) return [];
  try {
    const setAt = await deps.refreshTokenSetAt();
    if (!setAt) return [];
    const warning = refreshTokenWarning(refreshTokenAge(setAt, deps.now?.()), stageRenewCommand(deps.stage));
    return warning ? [warning] : [];
  } catch (error) {
    deps.logger.warn("Could not read when the refresh token was set", { error: (error as Error).message });
    return [];
  }
}

export interface NotifyResult {
  executionArn: string;
  /** The SNS message id, or undefined when NotifyFailure had reported the failure already. */
  messageId?: string;
}

/** Builds the handler around dependencies resolved once (at cold start in Lambda). */
export function createNotifyFailureHandler(
  deps: () => Promise<NotifierDeps>,
): (event: unknown, context?: Context) => Promise<NotifyResult> {
  let resolved: Promise<NotifierDeps> | undefined;
  return async (event, context) => {
    const parsed = v.safeParse(ExecutionEndEventSchema, event);
    if (!parsed.success) {
      throw new InputError({ reason: "notifierEvent", issues: formatIssues(parsed.issues) });
    }
    const { executionArn, name, status } = parsed.output.detail;
    resolved ??= deps();
    const resolvedDeps = await resolved;
    const { sfn, sns, topicArn, stage, logger } = resolvedDeps;
    if (context) logger.addContext(context);
    // Errors are thrown: Lambda retries the event, then the errors alarm tells the topic (stacks/lake-alerts.ts).
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const warnings = await warningsFor(resolvedDeps);
    const end = {
      executionArn,
      name,
      status,
      describedStatus: described.status,
      error: described.error,
      cause: described.cause,
      redriveCount: described.redriveCount,
    };
    const alert = failureAlert(end, { stage, warnings }) ?? warningAlert(end, { stage, warnings });
    if (!alert) {
      logger.info("NotifyFailure reported this failure already", { executionArn, error: described.error });
      return { executionArn };
    }
    // A failure NotifyFailure reported gets a message only for its warnings (warningAlert).
    const published = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message }),
    );
    logger.info("Published the failure alert", { executionArn, status, messageId: published.MessageId });
    return { executionArn, messageId: published.MessageId };
  };
}

export const handler = createNotifyFailureHandler(async () => (await import("./notifier-deps.ts")).notifierDeps());
