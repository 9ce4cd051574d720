/** The SNS stand-in behind NotifyFailure: each message becomes `<home>/outbox/<execution>-<n>.json` and a stderr line. */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { redactSecrets } from "@tunelake/core/redact";
import { localPaths } from "./paths.ts";

export interface OutboxMessage {
  MessageId: string;
  TopicArn?: string;
  Subject?: string;
  Message?: string;
  execution: string;
  timestamp: string;
}

/** sns:publish for one local execution. */
export function createLocalOutbox(options: { home: string; execution: string; stderr?: (line: string) => void }) {
  const dir = localPaths(options.home).outbox;
  const stderr = options.stderr ?? ((line: string) => process.stderr.write(line));
  return {
    async publish(input: unknown): Promise<{ MessageId: string }> {
      const { TopicArn, Subject, Message } = (input ?? {}) as Partial<OutboxMessage>;
      await mkdir(dir, { recursive: true });
      // Exact match: execution 2026-11-21's files must not count 2026-11-21-2's.
      const own = new RegExp(`^${options.execution.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d+\\.json$`);
      const existing = (await readdir(dir)).filter((f) => own.test(f)).length;
      const file = join(dir, `${options.execution}-${existing + 1}.json`);
      const message: OutboxMessage = {
        MessageId: randomUUID(),
        TopicArn,
        // The message quotes the failed stage's cause: redacted here too, whatever produced it.
        Subject: Subject === undefined ? undefined : redactSecrets(Subject),
        Message: Message === undefined ? undefined : redactSecrets(Message),
        execution: options.execution,
        timestamp: new Date().toISOString(),
      };
      await writeFile(file, `${JSON.stringify(message, null, 2)}\n`);
      stderr(`[NotifyFailure] ${Subject ?? "tunelake run failed"} (notification written to ${file})\n`);
      return { MessageId: message.MessageId };
    },
  };
}
