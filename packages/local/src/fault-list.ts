/**
 * The faults `--inject-fault` knows, with what each does: a module that imports only the errors, so that the CLI's help
 * can list them, and the CLI check them, without loading what injects them (faults.ts).
 */
import { ConfigError } from "@tunelake/core/errors";

export const FAULTS = {
  "spotify-429": "the sample API answers 429 with Retry-After 1 to the first requests (retried to success)",
  "spotify-5xx": "the sample API answers 503 to the first requests (retried to success)",
  "spotify-quota": "the sample API answers 429 QUOTA_EXCEEDED (the run stops with SpotifyQuotaExceededError)",
  "spotify-malformed": "the sample API sends truncated JSON bodies to the first requests (retried)",
  "spotify-token-revoked":
    "the sample API's token endpoint answers invalid_grant for the refresh token (the run stops with SpotifyRefreshTokenRevokedError)",
  "spotify-premium-lapsed":
    "the sample API answers every call 403 for a lapsed Premium subscription (the run stops with SpotifyPremiumRequiredError)",
  "spotify-drift":
    "the sample API's objects lose non-key fields, have them null or of another type, and gain unknown ones (kept, NULL in their columns)",
  "extract-crash":
    "each Extract attempt checkpoints and dies after 8 requests (the retry resumes; if it dies too, redrive completes)",
  "extract-timeout":
    "the first Extract slice is told its time is nearly up: it stops early and the loop runs a next slice",
  "transform-crash": "the first attempt of one transform invocation crashes (retried to success)",
  "crawler-running": "StartCrawler finds the crawler already running (the run waits for it)",
  "crawler-failed": "the crawl ends READY with LastCrawl FAILED (the run fails; redrive resumes at StartCrawler)",
  "crawler-stuck": "the crawler never finishes (the run fails at the poll limit)",
  "validation-failed": "a data-quality check fails (the run fails at the validation gate)",
} as const;

export type FaultName = keyof typeof FAULTS;

/** Checks fault names before anything runs. */
export function parseFaults(names: readonly string[]): FaultName[] {
  const unknown = names.filter((n) => !Object.hasOwn(FAULTS, n));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown --inject-fault ${unknown.join(", ")}. Known faults:`,
      Object.entries(FAULTS).map(([name, what]) => `${name}: ${what}`),
    );
  }
  return [...new Set(names)] as FaultName[];
}
