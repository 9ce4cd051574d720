/**
 * Before `sst deploy`, `sst dev`, `sst secrets` and the other SST commands that talk to AWS: one STS
 * GetCallerIdentity with the credentials, region and endpoint SST will use, a few seconds at most, so a missing
 * credential, region or network fails at once with its cause instead of SST hanging, printing a stack trace, or
 * exiting 0 with nothing done (docs/deploy.md "When a deploy fails before it starts").
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsFailure, describeAwsFailure } from "../packages/aws/src/aws-failure.ts";

/** SST commands that need AWS; the others (`version`, `telemetry`, `types`, `build`) run offline. */
export const AWS_COMMANDS = ["deploy", "dev", "start", "remove", "diff", "secrets", "bind", "bootstrap", "console"];

/** Set it to skip the check (e.g. behind a proxy STS cannot be reached through, while SST can). */
export const SKIP_PREFLIGHT = "TUNELAKE_SKIP_PREFLIGHT";

export interface PreflightInput {
  command: string | undefined;
  stage?: string;
  profile?: string;
  region: string;
  env?: NodeJS.ProcessEnv;
  /** How long the identity call may take in all, in ms (default 8000). */
  timeoutMs?: number;
}

/** The error SST prints (its message only) before exiting 1: what AWS answered, and how to skip the check. */
export class PreflightError extends Error {
  readonly kind: AwsFailure["kind"];
  /** `failure` is what {@link describeAwsFailure} made of the STS call's error: its kind and what to do about it. */
  constructor(fields: { failure: AwsFailure }) {
    super(`${fields.failure.message} (set ${SKIP_PREFLIGHT}=1 to skip this check)`);
    this.name = "PreflightError";
    this.kind = fields.failure.kind;
  }
}

/** Checks that AWS answers with these credentials; returns the account and caller, or throws a PreflightError. */
export async function preflight(input: PreflightInput): Promise<{ account?: string; arn?: string } | undefined> {
  const env = input.env ?? process.env;
  if (!input.command || !AWS_COMMANDS.includes(input.command) || env[SKIP_PREFLIGHT] === "1") return undefined;
  const what = `\`sst ${input.command}${input.stage ? ` --stage ${input.stage}` : ""}\``;
  const client = new STSClient({
    region: input.region,
    maxAttempts: 1,
    ...(input.profile ? { profile: input.profile } : {}),
  });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), input.timeoutMs ?? 8000);
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}), { abortSignal: abort.signal });
    return { account: identity.Account, arn: identity.Arn };
  } catch (error) {
    const failure = abort.signal.aborted
      ? describeAwsFailure(Object.assign(new Error("no answer"), { name: "TimeoutError" }), {
          region: input.region,
          endpoint: env.AWS_ENDPOINT_URL,
          what,
        })
      : describeAwsFailure(error, { region: input.region, endpoint: env.AWS_ENDPOINT_URL, what });
    throw new PreflightError({ failure });
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}
