import { TRANSFORM_ENTITY_NAMES } from "@tunelake/core/lake";
import type { Context } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_SUBSTITUTIONS, runLocalExecution } from "../src/engine.ts";
import { fixtureHandlers, tempHome } from "./lake-fixture.ts";

describe("the local engine's Lambda context", () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ home, cleanup } = await tempHome());
  });
  afterEach(async () => cleanup());

  it("gives every in-process invocation a Lambda-shaped context with its own request id", async () => {
    // Prepare
    const { handlers } = fixtureHandlers(home);
    const contexts: Context[] = [];
    const { extract, transform } = handlers;
    handlers.extract = (input, context) => {
      if (context) contexts.push(context);
      return extract(input, context);
    };
    handlers.transform = (input, context) => {
      if (context) contexts.push(context);
      return transform(input, context);
    };

    // Act
    const record = await runLocalExecution({
      home,
      input: { date: "2026-11-21" },
      handlers,
      retryIntervalMs: 5,
      crawlerPollMs: 5,
    });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(contexts).toHaveLength(1 + TRANSFORM_ENTITY_NAMES.length);
    expect(new Set(contexts.map((c) => c.awsRequestId)).size).toBe(contexts.length);
    expect(contexts[0]).toMatchObject({
      functionName: "tunelake-extract",
      invokedFunctionArn: LOCAL_SUBSTITUTIONS.ExtractFunctionArn,
      functionVersion: "$LATEST",
      awsRequestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/),
      logGroupName: "/aws/lambda/tunelake-extract",
    });
    expect(contexts.slice(1).map((c) => c.functionName)).toEqual(
      TRANSFORM_ENTITY_NAMES.map(() => "tunelake-transform"),
    );
    expect(contexts.every((c) => c.getRemainingTimeInMillis() > 800_000)).toBe(true);
  });
});
