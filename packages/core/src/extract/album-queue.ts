/**
 * Albums are named by the config and discovered from artists while those are still being read. The queue fetches them
 * as they come (full batches of 20 where batch calls are allowed, one by one otherwise), so album requests overlap
 * with the rest of the run instead of waiting for every artist, and still each album is fetched once and batches are
 * full except the last one.
 */
import { BATCH_SIZE } from "./access.ts";
import { Collected } from "./collected.ts";
import { type ExtractContext, unique } from "./context.ts";
import { extractAlbums } from "./fetch-catalog.ts";

export class AlbumQueue {
  /** The first source that named each album (`album:<id>` or `artist:<id>`). */
  private readonly sources = new Map<string, string>();
  private pending: string[] = [];
  private readonly tasks: Array<Promise<void>> = [];
  private readonly results = new Map<string, Collected>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly ctx: ExtractContext) {}

  /** Queues albums with the source that named them; ids already queued are ignored. */
  add(ids: readonly string[], source: (id: string) => string): void {
    for (const id of ids) {
      if (this.sources.has(id)) continue;
      this.sources.set(id, source(id));
      this.pending.push(id);
    }
    this.flush(false);
  }

  /** Fetches what is left and waits for every album; rethrows the first failure. */
  async finish(): Promise<void> {
    this.flush(true);
    await Promise.all(this.tasks);
    if (this.failure) throw this.failure.error;
  }

  /** The albums' output in `order` (plan order, so reruns write the same files). */
  collect(order: readonly string[]): Collected {
    return new Collected().merge(unique(order).flatMap((id) => this.results.get(id) ?? []));
  }

  private flush(all: boolean): void {
    if (this.failure) return;
    const size = this.ctx.access.allowed("batchAlbums") ? BATCH_SIZE.albums : 1;
    while (this.pending.length >= size || (all && this.pending.length > 0)) {
      const group = this.pending.splice(0, size);
      this.tasks.push(
        extractAlbums(this.ctx, group, this.sources).then(
          (byId) => {
            for (const [id, out] of byId) this.results.set(id, out);
          },
          (error: unknown) => {
            // Kept for finish(): a rejection nobody awaits yet must not become an unhandled one.
            this.failure ??= { error };
          },
        ),
      );
    }
  }
}
