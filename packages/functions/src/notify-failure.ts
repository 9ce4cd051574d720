/**
 * Failure notifier Lambda: the failure rule's target. Reads the ended execution (DescribeExecution: the event carries
 * no error) and publishes one alert to the failure topic, unless the state machine's NotifyFailure already did.
 */
import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { PublishCommand } from "@aws-sdk/client-sns";
import { formatIssues } from "@tunelake/core/config/load";
import { InputError } from "@tunelake/core/errors";
import { failureAlert } from "@tunelake/core/workflow/failure-alert";
import type { Context } from "aws-lambda";
import * as v from "valibot";
import type { NotifierDeps } from "./handler-deps.ts";
import { ExecutionEndEventSchema } from "./input.ts";

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
      throw new InputError("The notifier got an event that is not an execution's end:", formatIssues(parsed.issues));
    }
    const { executionArn, name, status } = parsed.output.detail;
    resolved ??= deps();
    const { sfn, sns, topicArn, stage, logger } = await resolved;
    if (context) logger.addContext(context);
    // Errors are thrown: Lambda retries the event, then the errors alarm tells the topic (stacks/lake-alerts.ts).
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const alert = failureAlert(
      {
        executionArn,
        name,
        status,
        describedStatus: described.status,
        error: described.error,
        cause: described.cause,
        redriveCount: described.redriveCount,
      },
      { stage },
    );
    if (!alert) {
      logger.info("NotifyFailure reported this failure already", { executionArn, error: described.error });
      return { executionArn };
    }
    const published = await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: alert.subject, Message: alert.message }),
    );
    logger.info("Published the failure alert", { executionArn, status, messageId: published.MessageId });
    return { executionArn, messageId: published.MessageId };
  };
}

export const handler = createNotifyFailureHandler(async () => (await import("./notifier-deps.ts")).notifierDeps());
