/**
 * The failure notifier's dependencies in Lambda: SFN and SNS clients, the topic and the stage from the environment, and
 * where the stage's user refresh token is (an SSM parameter) when its config asks for user sources.
 * A module of its own, so that the SFN client ships in this function's bundle only, not in extract's or transform's.
 */
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetParametersCommand, SSMClient, type SSMClientConfig } from "@aws-sdk/client-ssm";
import { createLambdaLogger } from "@tunelake/core/logger";
import type { NotifierDeps } from "./handler-deps.ts";
import { requireEnv } from "./require-env.ts";

/** The notifier's SSM client (its own package's SDK version: a client of another version cannot send its commands). */
export const notifierSsm = (config: SSMClientConfig = {}): SSMClient => new SSMClient(config);

/**
 * When the SSM parameter `name` last changed (read without decryption: the notifier never sees the token), or
 * undefined when it does not exist.
 */
export function parameterChangedAt(ssm: Pick<SSMClient, "send">, name: string): () => Promise<Date | undefined> {
  return async () => {
    const { Parameters } = await ssm.send(new GetParametersCommand({ Names: [name], WithDecryption: false }));
    return Parameters?.[0]?.LastModifiedDate;
  };
}

export async function notifierDeps(): Promise<NotifierDeps> {
  // Set by the stack only when the stage's config asks for user sources (stacks/lake-functions.ts).
  const tokenParameter = process.env.SPOTIFY_REFRESH_TOKEN_PARAMETER;
  return {
    ...(tokenParameter ? { refreshTokenSetAt: parameterChangedAt(notifierSsm(), tokenParameter) } : {}),
    sfn: new SFNClient({}),
    sns: new SNSClient({}),
    topicArn: requireEnv("FAILURE_TOPIC_ARN"),
    stage: requireEnv("TUNELAKE_STAGE"),
    logger: createLambdaLogger("tunelake-notify-failure"),
  };
}
