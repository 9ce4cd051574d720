/**
 * The failure notifier's dependencies in Lambda: SFN and SNS clients, the topic and the stage from the environment.
 * A module of its own, so that the SFN client ships in this function's bundle only, not in extract's or transform's.
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { createLambdaLogger } from "@tunelake/core/logger";
import type { NotifierDeps } from "./handler-deps.ts";
import { requireEnv } from "./require-env.ts";

export async function notifierDeps(): Promise<NotifierDeps> {
  return {
    sfn: new SFNClient({}),
    sns: new SNSClient({}),
    topicArn: requireEnv("FAILURE_TOPIC_ARN"),
    stage: requireEnv("TUNELAKE_STAGE"),
    logger: createLambdaLogger("tunelake-notify-failure"),
  };
}
