/**
 * The Lambda context the local engine gives each in-process invocation: the same fields Lambda passes (so the
 * handlers' logger carries a request id and Extract reads its remaining time), for a function that is not deployed.
 */
import { randomUUID } from "node:crypto";
import { InvariantError } from "@tunelake/core/errors";
import type { Context } from "aws-lambda";

export interface LocalLambdaContextOptions {
  /** The function's name, as in its ARN (`tunelake-extract`). */
  functionName: string;
  /** Its ARN (the engine's fake local ARN). */
  functionArn: string;
  /** How long the invocation may run, as the function's timeout. */
  timeoutMs: number;
  memoryLimitMb?: number;
}

/** A fresh context for one invocation: a new request id, and a deadline `timeoutMs` from now. */
export function localLambdaContext(options: LocalLambdaContextOptions): Context {
  const deadline = Date.now() + options.timeoutMs;
  const awsRequestId = randomUUID();
  const unsupported = (name: string) => () => {
    throw new InvariantError({
      what: `a handler called context.${name}(), the callback-style Lambda API; tunelake handlers are async and return`,
    });
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: options.functionArn,
    memoryLimitInMB: String(options.memoryLimitMb ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}
