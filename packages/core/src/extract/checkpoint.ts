/**
 * The extract's checkpoint (`_checkpoints/dt=<date>/extract.json`): which work units are finished, the parts that hold
 * their lines, and the counters the manifest will need. Every restart of the date's extract (a Step Functions retry,
 * the next time slice, a redrive, a rerun) continues from it instead of asking Spotify again (see README,
 * "Checkpoints and atomic publish").
 */
import { createHash } from "node:crypto";
import type { Config } from "../config/schema.ts";
import { checkpointKey, type RawEntity } from "../lake.ts";
import type { SpotifyClientStats } from "../spotify/client.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import type { Capability } from "./access.ts";
import type { PartRecord } from "./raw-writer.ts";

export interface RejectCounts {
  count: number;
  byEntity: Partial<Record<RawEntity, number>>;
  reasons: Record<string, number>;
}

export interface ExtractCheckpoint {
  version: 1;
  date: string;
  /** What was asked (sources and the options that change what is fetched): a checkpoint of other work is not used. */
  fingerprint: string;
  /** The execution that started this extract (a rerun asked to refetch starts over unless it is the same one). */
  execution?: string;
  startedAt: string;
  /** True once the manifest is published. */
  finished: boolean;
  /** Slices (invocations) that ended with this checkpoint. */
  slices: number;
  /** Finished work units, e.g. `album:<id>`, `artist_albums:<id>`, `playlist:<id>`. */
  done: string[];
  /** The album ids each finished `artist_albums:<id>` unit found (their albums are still to fetch when not done). */
  artistAlbums: Record<string, string[]>;
  parts: PartRecord[];
  objects: Partial<Record<RawEntity, number>>;
  rawBytes: number;
  rejects: RejectCounts;
  /** Requests of the slices before this one, summed. */
  stats: SpotifyClientStats;
  capabilities: Record<Capability, "yes" | "no" | "unknown">;
  skipped: string[];
}

/** Identifies the work a config asks for, so that a checkpoint is only resumed by the same work. */
export function extractFingerprint(config: Config, dataSource: string): string {
  const e = config.extract;
  const asked = {
    dataSource,
    sources: config.sources,
    accessProfile: e.accessProfile,
    market: e.market,
    includeGroups: e.includeGroups,
    maxAlbumsPerArtist: e.maxAlbumsPerArtist,
  };
  return createHash("sha256").update(JSON.stringify(asked)).digest("hex").slice(0, 16);
}

export async function readCheckpoint(store: ObjectStore, date: string): Promise<ExtractCheckpoint | undefined> {
  const body = await store.get(checkpointKey(date));
  if (!body) return undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as ExtractCheckpoint;
    return parsed.version === 1 && parsed.date === date ? parsed : undefined;
  } catch {
    // A checkpoint that cannot be read only costs a refetch.
    return undefined;
  }
}

export async function writeCheckpoint(store: ObjectStore, checkpoint: ExtractCheckpoint): Promise<void> {
  await store.put(checkpointKey(checkpoint.date), `${JSON.stringify(checkpoint)}\n`, "application/json");
}

/** Sums two request statistics. */
export function addStats(a: SpotifyClientStats, b: SpotifyClientStats): SpotifyClientStats {
  const byEndpoint = { ...a.byEndpoint };
  for (const [k, n] of Object.entries(b.byEndpoint)) byEndpoint[k] = (byEndpoint[k] ?? 0) + n;
  return {
    requests: a.requests + b.requests,
    byEndpoint,
    retries: a.retries + b.retries,
    tokenRequests: a.tokenRequests + b.tokenRequests,
  };
}
