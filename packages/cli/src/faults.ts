/**
 * `--inject-fault NAME`: failure paths a user can try locally. spotify-* faults go into the sample API; the others
 * into the local engine. They apply to that run only, never to its redrive.
 */
import { ConfigError } from "@tunelake/core/errors";
import type { SampleServerOptions } from "@tunelake/sample-api/sample-server";

export const FAULTS = {
  "spotify-429": "the sample API answers 429 with Retry-After 1 to the first requests (retried to success)",
  "spotify-5xx": "the sample API answers 503 to the first requests (retried to success)",
  "spotify-quota": "the sample API answers 429 QUOTA_EXCEEDED (the run stops with SpotifyQuotaExceededError)",
  "spotify-malformed": "the sample API sends truncated JSON bodies to the first requests (retried)",
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
  const unknown = names.filter((n) => !(n in FAULTS));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown --inject-fault ${unknown.join(", ")}. Known faults:`,
      Object.entries(FAULTS).map(([name, what]) => `${name}: ${what}`),
    );
  }
  return [...new Set(names)] as FaultName[];
}

/** The sample API's fault switches for the spotify-* faults. */
export function sampleFaultsFor(faults: readonly string[]): SampleServerOptions["faults"] {
  const out: NonNullable<SampleServerOptions["faults"]> = {};
  if (faults.includes("spotify-429")) out.rateLimit = { count: 3, retryAfterSeconds: 1 };
  if (faults.includes("spotify-5xx")) out.serverError = { count: 3 };
  if (faults.includes("spotify-quota")) out.quota = true;
  if (faults.includes("spotify-malformed")) out.malformed = { count: 2 };
  if (faults.includes("spotify-drift")) out.drift = true;
  return out;
}
