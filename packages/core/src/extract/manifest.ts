/**
 * The extract manifest (`_manifests/dt=<date>/manifest.json`): what a run asked for, what access it had, what it
 * wrote and what Spotify cost. Later stages and reruns read it instead of the state machine's payload.
 */
import type { Config } from "../config/schema.ts";
import type { RawEntity } from "../lake.ts";
import type { Capability } from "./access.ts";
import type { RejectCounts } from "./checkpoint.ts";
import type { StaleRecord } from "./known-objects.ts";

export type { StaleRecord } from "./known-objects.ts";

export interface RejectsSummary {
  count: number;
  byEntity: Partial<Record<RawEntity, number>>;
  /** How many items were rejected for each reason (reasons cut to their first 200 characters). */
  reasons: Record<string, number>;
  keys: string[];
}

export interface ExtractManifest {
  date: string;
  dataSource: "spotify" | "sample";
  startedAt: string;
  finishedAt: string;
  requestedAccessProfile: Config["extract"]["accessProfile"];
  accessProfile: "development" | "extended";
  capabilities: Record<Capability, "yes" | "no" | "unknown">;
  sources: Config["sources"];
  objects: Record<RawEntity, number>;
  /**
   * The longest raw line (characters) the extract wrote (extract/raw-line.ts): the transform scans for longer lines
   * only in a day whose manifest does not say this (written by hand, or by an older version).
   */
  lineLimit?: number;
  /** Time slices (invocations) the extract took. */
  slices?: number;
  keys: string[];
  /** `byBucket`: requests per quota bucket (spotify/quota-buckets.ts; absent in manifests of older versions). */
  requests: {
    total: number;
    byEndpoint: Record<string, number>;
    byBucket?: Record<string, number>;
    tokenRequests: number;
  };
  retries: number;
  rejects: RejectsSummary;
  /** Sources that could not run and why (e.g. user sources without a refresh token). */
  skipped: string[];
  /**
   * Incremental runs (docs/tables.md, "Incremental runs"); absent in manifests of older versions. `base`: the run date
   * whose raw zone was the last known state (null on a first run).
   */
  base?: string | null;
  /** Lines per entity carried forward from the last known state instead of fetched (included in `objects`). */
  carriedForward?: Record<RawEntity, number>;
  /** Known objects (and artists' include groups) fetched again because their refresh was due. */
  refreshed?: number;
  /** Requests that asked whether something changed: a playlist's snapshot, an include group's first page. */
  changeChecks?: number;
  /** Change checks that found nothing new (and 304 Not Modified answers). */
  notModified?: number;
  /** Sources whose work in an exhausted quota bucket was carried forward stale (empty when every bucket held). */
  stale?: StaleRecord[];
}

/** The manifest's rejects summary: the counts the checkpoint kept, and the published rejects files. */
export function summarizeRejects(counts: RejectCounts, keys: string[]): RejectsSummary {
  return { count: counts.count, byEntity: { ...counts.byEntity }, reasons: { ...counts.reasons }, keys };
}
