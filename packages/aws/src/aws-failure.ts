/**
 * Why an AWS call failed, in the terms a person can act on: no credentials, credentials AWS rejects, no region, the
 * endpoint unreachable (network, proxy, a local endpoint that is down), or access denied. Used by
 * `--stage` commands (resolve-stage.ts) and by the deploy preflight in sst.config.ts, so neither reports "no stack" when
 * the stack was never asked about.
 */

export type AwsFailureKind = "credentials" | "credentials-rejected" | "region" | "network" | "access-denied" | "other";

export interface AwsFailure {
  kind: AwsFailureKind;
  /** What is wrong and what to do, one sentence or two. */
  message: string;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);
const REJECTED_CREDENTIALS = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidAccessKeyId",
  "InvalidSignatureException",
]);

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The error and the errors it wraps (AggregateError of a dual-stack connect, `cause` chains). */
function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  const visit = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || depth > 5) return;
    const err = e as ErrorLike;
    out.push(err);
    for (const inner of err.errors ?? []) visit(inner, depth + 1);
    visit(err.cause, depth + 1);
  };
  visit(error, 0);
  return out;
}

/** Classifies `error`; `where` names the endpoint or region asked (e.g. `us-east-1` or `http://127.0.0.1:4566`). */
export function describeAwsFailure(
  error: unknown,
  where: { region?: string; endpoint?: string; what: string },
): AwsFailure {
  const errors = chain(error);
  const text = errors.map((e) => `${e.name ?? ""} ${e.code ?? ""} ${e.message ?? ""}`).join(" | ");
  const target = where.endpoint ?? (where.region ? `AWS in ${where.region}` : "AWS");
  const first = errors[0]?.message ?? String(error);

  if (errors.some((e) => e.name === "CredentialsProviderError") || /Could not load credentials/i.test(text)) {
    return {
      kind: "credentials",
      message: `No AWS credentials found for ${where.what}. Set AWS_PROFILE (after \`aws sso login\` or \`aws configure\`) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run it again.`,
    };
  }
  if (/Region is missing|region.*(missing|not set)/i.test(text)) {
    return {
      kind: "region",
      message: `No AWS region for ${where.what}. Set AWS_REGION (e.g. us-east-1) or pass --region.`,
    };
  }
  if (errors.some((e) => (e.code && NETWORK_CODES.has(e.code)) || e.name === "TimeoutError")) {
    const code = errors.find((e) => e.code && NETWORK_CODES.has(e.code))?.code ?? "timeout";
    return {
      kind: "network",
      message: `Could not reach ${target} for ${where.what} (${code}): check the network, a proxy, or AWS_ENDPOINT_URL if one is set.`,
    };
  }
  if (errors.some((e) => REJECTED_CREDENTIALS.has(e.name ?? "") || REJECTED_CREDENTIALS.has(e.code ?? ""))) {
    return {
      kind: "credentials-rejected",
      message: `AWS rejected the credentials for ${where.what} (${first}). Refresh them (\`aws sso login\`) or fix AWS_PROFILE / the access keys.`,
    };
  }
  if (
    errors.some(
      (e) => e.name === "AccessDenied" || e.name === "AccessDeniedException" || e.$metadata?.httpStatusCode === 403,
    )
  ) {
    return {
      kind: "access-denied",
      message: `AWS denied ${where.what} (${first}): the credentials work, but their role lacks the permission.`,
    };
  }
  return { kind: "other", message: `${where.what} failed: ${first}` };
}
