/**
 * Writes a run's raw zone for one date: gzip NDJSON parts per entity and one rejects file per entity. Everything of
 * that date is removed first, so a rerun replaces the date and never duplicates it.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { RAW_ENTITIES, type RawEntity, rawKey, rawPrefix, rejectsKey, rejectsPrefix } from "../lake.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import type { Collected } from "./collected.ts";

/** Lines per raw part. */
export const DEFAULT_PART_SIZE = 50_000;

export interface RawWriteResult {
  keys: string[];
  rejectKeys: string[];
  objects: Record<RawEntity, number>;
}

const gzipAsync = promisify(gzip);

/** Compresses on libuv's thread pool, so several parts compress in parallel and the event loop stays free. */
function ndjsonGzip(lines: readonly string[]): Promise<Buffer> {
  return gzipAsync(`${lines.join("\n")}\n`);
}

/** Removes the date's raw parts and rejects, then writes `collected`. */
export async function writeRawZone(
  store: ObjectStore,
  date: string,
  collected: Collected,
  partSize = DEFAULT_PART_SIZE,
): Promise<RawWriteResult> {
  const stale = (
    await Promise.all([...RAW_ENTITIES.map((e) => rawPrefix(e, date)), rejectsPrefix(date)].map((p) => store.list(p)))
  ).flat();
  if (stale.length > 0) await store.delete(stale);

  const byEntity = new Map<RawEntity, string[]>();
  for (const { entity, line } of collected.raw) {
    const lines = byEntity.get(entity) ?? [];
    lines.push(line);
    byEntity.set(entity, lines);
  }
  const objects = Object.fromEntries(RAW_ENTITIES.map((e) => [e, byEntity.get(e)?.length ?? 0])) as Record<
    RawEntity,
    number
  >;
  const parts: Array<{ key: string; lines: string[] }> = [];
  for (const entity of RAW_ENTITIES) {
    const lines = byEntity.get(entity) ?? [];
    for (let part = 0; part * partSize < lines.length; part++) {
      parts.push({ key: rawKey(entity, date, part), lines: lines.slice(part * partSize, (part + 1) * partSize) });
    }
  }
  await Promise.all(parts.map(async ({ key, lines }) => store.put(key, await ndjsonGzip(lines), "application/gzip")));
  const keys = parts.map((p) => p.key);

  const rejectsByEntity = new Map<RawEntity, string[]>();
  for (const reject of collected.rejects) {
    const list = rejectsByEntity.get(reject.entity) ?? [];
    list.push(
      JSON.stringify({
        _reason: reject.reason,
        _source: reject.source,
        _fetched_at: reject.fetchedAt,
        item: reject.item,
      }),
    );
    rejectsByEntity.set(reject.entity, list);
  }
  const rejectKeys: string[] = [];
  for (const [entity, list] of rejectsByEntity) {
    const key = rejectsKey(date, entity);
    await store.put(key, await ndjsonGzip(list), "application/gzip");
    rejectKeys.push(key);
  }
  return { keys, rejectKeys, objects };
}
