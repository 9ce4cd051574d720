/**
 * The extract manifest (`_manifests/dt=<date>/manifest.json`): what a run asked for, what access it had, what it
 * wrote and what Spotify cost. Later stages and reruns read it instead of the state machine's payload.
 */
import type { Config } from "../config/schema.ts";
import type { RawEntity } from "../lake.ts";
import type { Capability } from "./access.ts";
import type { Collected } from "./collected.ts";

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
  keys: string[];
  requests: { total: number; byEndpoint: Record<string, number>; tokenRequests: number };
  retries: number;
  rejects: RejectsSummary;
  /** Sources that could not run and why (e.g. user sources without a refresh token). */
  skipped: string[];
}

/** Counts rejects by entity and by reason. */
export function summarizeRejects(collected: Collected, keys: string[]): RejectsSummary {
  const byEntity: Partial<Record<RawEntity, number>> = {};
  const reasons: Record<string, number> = {};
  for (const reject of collected.rejects) {
    byEntity[reject.entity] = (byEntity[reject.entity] ?? 0) + 1;
    const reason = reject.reason.slice(0, 200);
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return { count: collected.rejects.length, byEntity, reasons, keys };
}
