/**
 * The handlers give the Lambda context to the Powertools logger: every JSON line an invocation writes carries that
 * invocation's request id (and the function's name), read from what Powertools really writes to stdout.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseConfig } from "@tunelake/core/config/load";
import { createLambdaLogger, silentLogger } from "@tunelake/core/logger";
import { FsObjectStore } from "@tunelake/core/storage/fs-store";
import { type SampleServer, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createExtractHandler } from "../src/extract.ts";
import { createTransformHandler } from "../src/transform.ts";

const DATE = "2026-11-21";

/** A context as Lambda passes it (the fields Powertools reads, and the remaining time). */
function lambdaContext(functionName: string, awsRequestId: string): Context {
  const deadline = Date.now() + 900_000;
  const never = () => {
    throw new Error("callback API not used");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/21/[$LATEST]abc",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: never,
    fail: never,
    succeed: never,
  };
}

/** The JSON lines Powertools writes to stdout while `act` runs. */
async function capturedLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await act();
  } finally {
    spy.mockRestore();
  }
  return written
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("handlers log with the Lambda context", () => {
  let server: SampleServer;
  let dir: string;
  beforeAll(async () => {
    server = await startSampleServer({ profile: "extended", shape: "2026" });
    dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-functions-"));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it("puts each invocation's request id on every line it writes", async () => {
    // Prepare
    const raw = new FsObjectStore(path.join(dir, "raw"));
    const extract = createExtractHandler(async () => ({
      config: parseConfig({ sources: { tracks: ["0VjIjW4GlUZAMYd2vXMi3b"] } }),
      raw,
      spotify: sampleEnv(server),
      dataSource: "sample",
      logger: createLambdaLogger("tunelake-extract"),
    }));

    // Act
    const first = await capturedLines(() => extract({ date: DATE }, lambdaContext("tunelake-extract", "req-1")));
    const second = await capturedLines(() =>
      extract({ date: DATE, execution: "e2" }, lambdaContext("tunelake-extract", "req-2")),
    );

    // Assess
    expect(first.map((l) => l.message)).toEqual(expect.arrayContaining(["extract started", "extract finished"]));
    expect(second.length).toBeGreaterThan(0);
    for (const line of first) {
      expect(line).toMatchObject({ function_request_id: "req-1", function_name: "tunelake-extract" });
    }
    for (const line of second) expect(line).toMatchObject({ function_request_id: "req-2" });
    expect(first[0]).toMatchObject({ service: "tunelake-extract", cold_start: expect.any(Boolean) });
  });

  it("the transform's lines carry its request id too", async () => {
    // Prepare: a raw zone for the date, extracted quietly.
    const raw = new FsObjectStore(path.join(dir, "raw-t"));
    await createExtractHandler(async () => ({
      config: parseConfig({ sources: { tracks: ["0VjIjW4GlUZAMYd2vXMi3b"] } }),
      raw,
      spotify: sampleEnv(server),
      dataSource: "sample",
      logger: silentLogger,
    }))({ date: DATE });
    const transform = createTransformHandler(async () => ({
      raw,
      curated: new FsObjectStore(path.join(dir, "curated")),
      workDir: path.join(dir, "tmp"),
      threads: 1,
      logger: createLambdaLogger("tunelake-transform"),
    }));

    // Act
    const lines = await capturedLines(() =>
      transform({ date: DATE, entity: "tracks" }, lambdaContext("tunelake-transform", "req-t")),
    );

    // Assess
    expect(lines.map((l) => l.message)).toContain("transform table written");
    for (const line of lines) {
      expect(line).toMatchObject({ function_request_id: "req-t", function_name: "tunelake-transform" });
    }
  });
});
