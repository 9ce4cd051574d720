/**
 * Albums are named by the config and discovered from artists while those are still being read. The queue hands them
 * to the work pool as they come (full batches of 20 where batch calls are allowed, one by one otherwise), so album
 * requests overlap with the rest of the run instead of waiting for every artist, and still each album is fetched
 * once and batches are full except the last one. Albums a checkpoint lists as done are not queued again.
 */
import { BATCH_SIZE } from "./access.ts";
import type { ExtractContext } from "./context.ts";

export class AlbumQueue {
  /** The first source that named each album (`album:<id>` or `artist:<id>`). */
  readonly sources = new Map<string, string>();
  private pendingIds: string[] = [];

  constructor(
    private readonly ctx: ExtractContext,
    private readonly isDone: (albumId: string) => boolean,
    private readonly enqueue: (group: string[]) => void,
  ) {}

  /** Queues albums with the source that named them; ids already queued (or done) are ignored. */
  add(ids: readonly string[], source: (id: string) => string): void {
    for (const id of ids) {
      if (this.sources.has(id)) continue;
      this.sources.set(id, source(id));
      if (!this.isDone(id)) this.pendingIds.push(id);
    }
    this.flush(false);
  }

  /** Hands one album back as its own unit (a batch split after batch calls were refused). */
  requeue(id: string): void {
    this.enqueue([id]);
  }

  /** Albums queued but not handed to the pool yet. */
  get pending(): number {
    return this.pendingIds.length;
  }

  /** Hands over what is left (a last, partial batch); true when there was something. */
  flushAll(): boolean {
    const had = this.pendingIds.length > 0;
    this.flush(true);
    return had;
  }

  private flush(all: boolean): void {
    const size = this.ctx.access.allowed("batchAlbums") ? BATCH_SIZE.albums : 1;
    while (this.pendingIds.length >= size || (all && this.pendingIds.length > 0)) {
      this.enqueue(this.pendingIds.splice(0, size));
    }
  }
}
