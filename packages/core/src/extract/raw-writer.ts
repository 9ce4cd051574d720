/**
 * Streams a run's raw lines into gzip NDJSON parts as work units finish, so memory depends on the part size and the
 * concurrency, never on the day. Each entity (and each entity's rejects) has one open part; a checkpoint compresses
 * the lines added since the previous one into a new gzip member and writes the open part under a new version of its
 * key, so a key a checkpoint lists is never overwritten (the superseded version is deleted once the next checkpoint
 * is written). A part is sealed at its size limit. Part names carry the attempt's tag, so they never collide with the
 * parts a previous manifest lists (see README, "Checkpoints and atomic publish").
 */
import { createGzip } from "node:zlib";
import { checkpointRejectsPrefix, type RawEntity, rawPartKey } from "../lake.ts";
import type { ObjectStore } from "../storage/object-store.ts";

/** Lines per raw part. */
export const DEFAULT_PART_SIZE = 50_000;
/** Uncompressed bytes per raw part (albums carry their first page of tracks: a line can be tens of kB). */
export const DEFAULT_PART_BYTES = 16 * 1024 * 1024;

/**
 * Bytes of lines encoded at a time into a reused buffer on their way to gzip. A day's raw text is tens of MB: joining a
 * checkpoint's lines into one string and encoding that touched twice as much fresh memory, and in a Firecracker VM
 * (Lambda's kind) first touching fresh memory costs far more than encoding into it: 115 ms for 40 MB against 4 ms.
 */
const ENCODE_CHUNK_BYTES = 256 * 1024;

/**
 * `lines`, each followed by a newline, as one gzip member. The text goes through `scratch` a chunk at a time, and
 * each chunk is compressed (on libuv's thread pool) before the next is encoded into it.
 */
export async function gzipLines(lines: readonly string[], scratch: Buffer): Promise<Buffer> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on("data", (chunk: Buffer) => out.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    gz.once("end", resolve);
    gz.once("error", reject);
  });
  // A failed write rejects its own promise first, and `ended` is then never awaited: not an unhandled rejection.
  ended.catch(() => undefined);
  const write = (chunk: Uint8Array) =>
    new Promise<void>((resolve, reject) => gz.write(chunk, (error) => (error ? reject(error) : resolve())));
  let used = 0;
  for (const line of lines) {
    // A UTF-16 code unit takes at most 3 bytes of UTF-8 (a surrogate pair, two units, takes 4).
    const most = line.length * 3 + 1;
    if (used > 0 && used + most > scratch.length) {
      await write(scratch.subarray(0, used));
      used = 0;
    }
    if (most > scratch.length) {
      await write(Buffer.from(`${line}\n`, "utf8"));
      continue;
    }
    used += scratch.write(line, used, "utf8");
    scratch[used++] = 0x0a;
  }
  if (used > 0) await write(scratch.subarray(0, used));
  gz.end();
  await ended;
  return Buffer.concat(out);
}

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
  /** Encoding buffers not in use (one per member being compressed at once). */
  private readonly scratch: Buffer[] = [];
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

  private async compress(lines: readonly string[]): Promise<Buffer> {
    const scratch = this.scratch.pop() ?? Buffer.allocUnsafe(ENCODE_CHUNK_BYTES);
    try {
      return await gzipLines(lines, scratch);
    } finally {
      this.scratch.push(scratch);
    }
  }

  private writeVersion(part: OpenPart): PartRecord {
    const lines = part.pending;
    part.pending = [];
    part.members.push(this.compress(lines));
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
