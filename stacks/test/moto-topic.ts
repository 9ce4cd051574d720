/**
 * Failure alerts on moto_server, as the stack tests count them: an SNS topic whose HTTP subscriber on 127.0.0.1
 * collects every message SNS delivers (one e-mail a user would get each), and a wait for an execution to end.
 */
import { createServer } from "node:http";
import { DescribeExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { expect } from "vitest";
import { pollUntil } from "../../packages/core/src/resilience.ts";

export interface SubscribedTopic {
  topicArn: string;
  /** The bodies of the deliveries so far, oldest first. */
  received: string[];
  close: () => void;
}

/** Creates topic `name` on moto with an HTTP subscriber that collects what SNS delivers. */
export async function subscribedTopic(sns: SNSClient, name: string): Promise<SubscribedTopic> {
  const received: string[] = [];
  const subscriber = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on("end", () => {
      received.push(body);
      response.end("ok");
    });
  });
  await new Promise<void>((resolve) => subscriber.listen(0, "127.0.0.1", resolve));
  const { port } = subscriber.address() as { port: number };
  const topicArn = String((await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn);
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: `http://127.0.0.1:${port}/` }));
  return { topicArn, received, close: () => subscriber.close() };
}

/** The SNS `Message` of each delivery body. */
export const deliveredMessages = (bodies: readonly string[]): string[] =>
  bodies.map((body) => String((JSON.parse(body) as { Message: string }).Message));

/** Waits until the execution leaves RUNNING (at most `timeoutMs`) and returns the status it ended with. */
export function endedStatus(sfn: SFNClient, executionArn: string, timeoutMs = 20_000): Promise<string> {
  return pollUntil(
    async () => {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return status === "RUNNING" ? undefined : String(status);
    },
    {
      intervalMs: 200,
      timeoutMs,
      onTimeout: () => {
        expect.unreachable(`${executionArn} still RUNNING after ${timeoutMs / 1000} s`);
      },
    },
  );
}
