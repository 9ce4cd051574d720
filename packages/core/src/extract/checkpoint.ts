/**
 * The extract's checkpoint (`_checkpoints/dt=<date>/extract.json`): which work units are finished, the parts that hold
 * their lines, and the counters the manifest will need. Every restart of the date's extract (a Step Functions retry,
 * the next time slice, a redrive, a rerun) continues from it instead of asking Spotify again (see README,
 * "Checkpoints and atomic publish").
 */
import { createHash } from "node:crypto";
import type { Config } from "../config/schema.ts";
import { PreconditionFailedError } from "../errors.ts";
import { checkpointKey, type RawEntity } from "../lake.ts";
import type { SpotifyClientStats } from "../spotify/client.ts";
import type { QuotaBucket } from "../spotify/quota-buckets.ts";
import type { ConditionalObjectStore, ObjectStore } from "../storage/object-store.ts";
import type { Capability } from "./access.ts";
import type { CheckCounts } from "./collected.ts";
import type { StaleRecord } from "./known-objects.ts";
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
  /** Lines carried forward from the last known state, per entity (absent in checkpoints of older versions). */
  carried?: Partial<Record<RawEntity, number>>;
  /** What the change checks found (absent in checkpoints of older versions). */
  checks?: CheckCounts;
  /** Work carried forward stale because its quota bucket was exhausted. */
  stale?: StaleRecord[];
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
    refresh: e.refresh,
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

const isConditional = (store: ObjectStore): store is ConditionalObjectStore =>
  typeof (store as Partial<ConditionalObjectStore>).putIf === "function" &&
  typeof (store as Partial<ConditionalObjectStore>).getTagged === "function";

const parseCheckpoint = (body: Buffer, date: string): ExtractCheckpoint | undefined => {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as ExtractCheckpoint;
    return parsed.version === 1 && parsed.date === date ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/**
 * One writer per date: the extract reads the date's checkpoint through the fence and every write names the version it
 * last read or wrote (S3 conditional writes, `If-Match`, or `If-None-Match: *` when there was none). A second extract
 * of the same date that wrote in between makes this one's next write fail with PreconditionFailedError (terminal)
 * instead of both overwriting each other's record of the parts. A store without conditional writes writes plainly.
 */
export class CheckpointFence {
  /** The version last read or written: a tag, `null` for "known absent", undefined before the first read. */
  private etag: string | null | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly date: string,
  ) {}

  async read(): Promise<ExtractCheckpoint | undefined> {
    if (!isConditional(this.store)) return readCheckpoint(this.store, this.date);
    const tagged = await this.store.getTagged(checkpointKey(this.date));
    this.etag = tagged ? tagged.etag : null;
    return tagged ? parseCheckpoint(tagged.body, this.date) : undefined;
  }

  async write(checkpoint: ExtractCheckpoint): Promise<void> {
    if (!isConditional(this.store)) return writeCheckpoint(this.store, checkpoint);
    const store = this.store;
    const key = checkpointKey(checkpoint.date);
    const body = `${JSON.stringify(checkpoint)}\n`;
    const condition = () => (this.etag ? { ifMatch: this.etag } : { ifNoneMatch: "*" as const });
    try {
      this.etag = await store.putIf(key, body, condition(), "application/json");
    } catch (error) {
      if (!(error instanceof PreconditionFailedError)) throw error;
      // A write whose answer was lost (a retried request) may have landed: then the object is ours, adopt its tag.
      const current = await store.getTagged(key);
      if (!current || current.body.toString("utf8") !== body) throw error;
      this.etag = current.etag;
    }
  }
}

/** Sums two request statistics. */
export function addStats(a: SpotifyClientStats, b: SpotifyClientStats): SpotifyClientStats {
  const byEndpoint = { ...a.byEndpoint };
  for (const [k, n] of Object.entries(b.byEndpoint)) byEndpoint[k] = (byEndpoint[k] ?? 0) + n;
  // Checkpoints of older versions have no byBucket.
  const byBucket = { ...a.byBucket };
  for (const [k, n] of Object.entries(b.byBucket ?? {}) as [QuotaBucket, number][]) {
    byBucket[k] = (byBucket[k] ?? 0) + n;
  }
  return {
    requests: a.requests + b.requests,
    byEndpoint,
    byBucket,
    retries: a.retries + b.retries,
    tokenRequests: a.tokenRequests + b.tokenRequests,
  };
}
