/**
 * Streams a run's raw lines into gzip NDJSON parts as work units finish, so memory depends on the part size and the
 * concurrency, never on the day. Each entity (and each entity's rejects) has one open part; a checkpoint compresses
 * the lines added since the previous one into a new gzip member and writes the open part under a new version of its
 * key, so a key a checkpoint lists is never overwritten (the superseded version is deleted once the next checkpoint
 * is written). A part is sealed at its size limit. Part names carry the attempt's tag, so they never collide with the
 * parts a previous manifest lists (see README, "Checkpoints and atomic publish").
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { checkpointRejectsPrefix, type RawEntity, rawPartKey } from "../lake.ts";
import type { ObjectStore } from "../storage/object-store.ts";

/** Lines per raw part. */
export const DEFAULT_PART_SIZE = 50_000;
/** Uncompressed bytes per raw part (albums carry their first page of tracks: a line can be tens of kB). */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

const gzipAsync = promisify(gzip);

export type PartKind = "raw" | "rejects";

/** A part as a checkpoint lists it. */
export interface PartRecord {
  kind: PartKind;
  entity: RawEntity;
  key: string;
  lines: number;
}

interface OpenPart {
  kind: PartKind;
  entity: RawEntity;
  seq: number;
  version: number;
  /** Compressed gzip members written so far; their concatenation is a valid gzip file. */
  members: Array<Promise<Buffer>>;
  pending: string[];
  lines: number;
  bytes: number;
  /** The version of the key the last checkpoint wrote. */
  liveKey?: string;
}

export interface RawWriterOptions {
  store: ObjectStore;
  date: string;
  /** Unique per extract attempt. */
  tag: string;
  partSize?: number;
  partBytes?: number;
}

export class RawWriter {
  private readonly open = new Map<string, OpenPart>();
  private readonly sealed: PartRecord[] = [];
  private readonly writes = new Set<Promise<void>>();
  private superseded: string[] = [];
  private nextSeq = 0;
  /** Uncompressed bytes of raw lines appended. */
  rawBytes = 0;

  constructor(private readonly options: RawWriterOptions) {}

  /** Appends lines to the entity's open part (raw or rejects), sealing it when it reaches its size limit. */
  append(kind: PartKind, entity: RawEntity, lines: readonly string[]): void {
    if (lines.length === 0) return;
    const id = `${kind}:${entity}`;
    const limitLines = this.options.partSize ?? DEFAULT_PART_SIZE;
    const limitBytes = this.options.partBytes ?? DEFAULT_PART_BYTES;
    for (const line of lines) {
      let part = this.open.get(id);
      if (!part) {
        part = { kind, entity, seq: this.nextSeq++, version: 0, members: [], pending: [], lines: 0, bytes: 0 };
        this.open.set(id, part);
      }
      part.pending.push(line);
      part.bytes += line.length + 1;
      part.lines++;
      if (kind === "raw") this.rawBytes += line.length + 1;
      if (part.lines >= limitLines || part.bytes >= limitBytes) {
        this.open.delete(id);
        this.sealed.push(this.writeVersion(part));
      }
    }
  }

  /**
   * Writes every open part that has new lines and waits for every write started so far. Returns the parts that now
   * hold every line appended before the call, and the keys they supersede (delete them once the checkpoint that
   * lists the new ones is written).
   */
  async flush(): Promise<{ parts: PartRecord[]; superseded: string[] }> {
    const current: PartRecord[] = [];
    for (const part of this.open.values()) {
      if (part.pending.length > 0) current.push(this.writeVersion(part));
      else if (part.liveKey)
        current.push({ kind: part.kind, entity: part.entity, key: part.liveKey, lines: part.lines });
    }
    const parts = [...this.sealed, ...current];
    const superseded = this.superseded;
    this.superseded = [];
    while (this.writes.size > 0) await Promise.all([...this.writes]);
    return { parts, superseded };
  }

  private writeVersion(part: OpenPart): PartRecord {
    const text = `${part.pending.join("\n")}\n`;
    part.pending = [];
    part.members.push(gzipAsync(text));
    const name = `${this.options.tag}-${String(part.seq).padStart(5, "0")}-v${part.version++}`;
    const key =
      part.kind === "raw"
        ? rawPartKey(part.entity, this.options.date, name)
        : `${checkpointRejectsPrefix(this.options.date)}${part.entity}/part-${name}.ndjson.gz`;
    if (part.liveKey) this.superseded.push(part.liveKey);
    part.liveKey = key;
    const members = [...part.members];
    const write = (async () => {
      const body = Buffer.concat(await Promise.all(members));
      await this.options.store.put(key, body, "application/gzip");
    })();
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write)).catch(() => undefined);
    return { kind: part.kind, entity: part.entity, key, lines: part.lines };
  }
}
