/** The errors of the AWS adapters, rooted at {@link TunelakeError}; each says what to do next. */
import { type ReasonFields, type Reasons, reasonedError, TunelakeError } from "@tunelake/core/errors";
import type { AwsFailure } from "./aws-failure.ts";

const deploy = (stage: string) => `\`npx sst deploy --stage ${stage}\``;

/** Why a stage's outputs cannot be found, each with the message it builds. */
export const STAGE_NOT_FOUND_REASONS = {
  /** The outputs lack keys the CLI needs (an older deployment). */
  outputsIncomplete: (f: { stage: string; source: string; missing: readonly string[] }) =>
    `The outputs of stage "${f.stage}" in ${f.source} lack ${f.missing.join(", ")}: redeploy it with ${deploy(f.stage)}.`,
  /** SST's outputs file is not JSON. */
  outputsNotJson: (f: { file: string; problem: string }) =>
    `${f.file} is not valid JSON (${f.problem}): run \`npx sst deploy\` again.`,
  /** The outputs file has no such stage, and CloudFormation is not asked. */
  notInOutputs: (f: { stage: string; file: string }) =>
    `Stage "${f.stage}" is not in ${f.file}. Deploy it with ${deploy(f.stage)}, or run from the checkout that deployed it.`,
  /** CloudFormation has no stack of that stage. */
  noStack: (f: { stage: string; stackName: string; region: string | undefined; problem: string }) =>
    `No CloudFormation stack ${f.stackName} in ${f.region ?? "this region"} (${f.problem}). Deploy it with ${deploy(f.stage)}, or set AWS_REGION to the stage's region.`,
  /** The stack exists but has no outputs (a failed or partial deployment). */
  noOutputs: (f: { stage: string; stackName: string }) =>
    `Stack ${f.stackName} has no outputs: redeploy it with ${deploy(f.stage)}.`,
} satisfies Reasons;

/** The stage has no deployed tunelake stack (or its outputs cannot be read): a wrong `--stage`, exit 2. */
export class StageNotFoundError extends reasonedError(STAGE_NOT_FOUND_REASONS) {
  static override readonly badInput = true;
  static override readonly httpStatus = 404;
}

/**
 * AWS could not be asked about the stage: no credentials, rejected credentials, no region, the endpoint unreachable, or
 * access denied (`kind`). Not a wrong `--stage`: fix the environment and run again.
 */
export class StageUnreachableError extends TunelakeError {
  readonly kind: AwsFailure["kind"];
  /** `failure` is what {@link describeAwsFailure} made of the SDK's error: its kind and what to do about it. */
  constructor(fields: { failure: AwsFailure }, options?: { cause?: unknown }) {
    super(fields.failure.message, options);
    this.kind = fields.failure.kind;
  }
}

/** Why an Athena query failed, each with the message it builds. */
export const ATHENA_QUERY_REASONS = {
  /** The query ended FAILED or CANCELLED; `retryable` is Athena's own verdict. */
  ended: (f: { queryExecutionId: string; state: string; stateReason: string; retryable: boolean }) =>
    `Athena query ${f.queryExecutionId} ${f.state}: ${f.stateReason}. Fix the SQL (table names as in \`tunelake query\`, filter on dt) and run it again.`,
  /** The query did not finish in time and was stopped. */
  timedOut: (f: { queryExecutionId: string; timeoutMs: number }) =>
    `Athena query ${f.queryExecutionId} did not finish in ${f.timeoutMs} ms and was stopped: filter on dt or raise the timeout.`,
  /** StartQueryExecution answered without an id. */
  noExecutionId: () => "Athena returned no QueryExecutionId: try again.",
} satisfies Reasons;

/** An Athena query ended FAILED or CANCELLED, or did not finish in time. */
export class AthenaQueryError extends reasonedError(ATHENA_QUERY_REASONS) {
  readonly queryExecutionId: string;
  readonly #transient: boolean;
  constructor(fields: ReasonFields<typeof ATHENA_QUERY_REASONS>) {
    super(fields);
    this.queryExecutionId = "queryExecutionId" in fields ? fields.queryExecutionId : "";
    this.#transient = "retryable" in fields ? fields.retryable : true;
  }

  /** Athena's own errors tell: a throttled or internally failed query may pass on a retry, a bad one never. */
  override get transient(): boolean {
    return this.#transient;
  }
}
