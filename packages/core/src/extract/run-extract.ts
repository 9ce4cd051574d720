/**
 * Extract: Spotify -> raw zone for one run date. Config and date are checked before any request; every source is
 * fetched with the access the app has, each id once, as work units a few at a time. A unit's lines stream into the
 * raw parts as it finishes, and a checkpoint in the lake records finished units and their parts, so any restart
 * continues where the last one stopped. A time slice stops before its deadline (or to let a long Retry-After pass in
 * the state machine's Wait state) and returns `done: false`; the last slice publishes: rejects, then the manifest
 * listing every part, then removes the parts no manifest lists (see README, "Checkpoints and atomic publish").
 */
import { randomBytes } from "node:crypto";
import type { SpotifyEnv } from "../config/env.ts";
import { parseConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import {
  ConfigError,
  ExtractUnitAbandonedError,
  SpotifyQuotaExceededError,
  SpotifyRetryLaterError,
} from "../errors.ts";
import {
  assertRunDate,
  checkpointRejectsPrefix,
  manifestKey,
  parseManifest,
  RAW_ENTITIES,
  type RawEntity,
  rawPrefix,
  rejectsKey,
  rejectsPrefix,
} from "../lake.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { ExtractResult } from "../pipeline-types.ts";
import type { Planner } from "../sources/define-source.ts";
import { entriesOf, SOURCES } from "../sources/index.ts";
import { createSpotifyClient, type SpotifyClient, type SpotifyClientOptions } from "../spotify/client.ts";
import { followPages } from "../spotify/paging.ts";
import { QUOTA_BUCKETS, type QuotaBucket } from "../spotify/quota-buckets.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { AccessState, BATCH_SIZE, type Capability } from "./access.ts";
import { AlbumQueue } from "./album-queue.ts";
import { addStats, CheckpointFence, type ExtractCheckpoint, extractFingerprint } from "./checkpoint.ts";
import { Collected } from "./collected.ts";
import { chunk, type ExtractContext } from "./context.ts";
import { extractAlbums } from "./fetch-catalog.ts";
import { dueOrCarry } from "./incremental.ts";
import { carriedLine, type KnownState } from "./known-objects.ts";
import { readKnownState } from "./known-state.ts";
import { type ExtractManifest, type StaleRecord, summarizeRejects } from "./manifest.ts";
import { MAX_RAW_LINE_BYTES } from "./raw-line.ts";
import { RawWriter } from "./raw-writer.ts";
import { isDue, onSlot } from "./refresh.ts";
import { WorkPool } from "./work-pool.ts";

export interface RunExtractOptions {
  config: Config;
  date: string;
  store: ObjectStore;
  spotify: SpotifyEnv;
  dataSource?: "spotify" | "sample";
  logger?: Logger;
  now?: () => Date;
  /** Overrides of the client's settings (tests shorten backoff). Config values win for the ones it has. */
  client?: Pick<SpotifyClientOptions, "backoffBaseMs" | "backoffMaxMs">;
  /** Lines per raw part (default 50 000). */
  partSize?: number;
  /**
   * A time slice: no unit starts after `stopAt` (epoch ms), units still running at `abandonAt` are dropped (redone by
   * the next slice), and the slice returns `done: false`. Without it the extract runs to the end and sleeps through
   * every Retry-After up to the ceiling.
   */
  slice?: { stopAt: number; abandonAt: number };
  /** The execution running the extract: a finished checkpoint of the same execution is not redone. */
  execution?: string;
  /** Start over instead of continuing an unfinished checkpoint of another execution. */
  refetch?: boolean;
}

const newTag = () => `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;

function freshCheckpoint(date: string, fingerprint: string, startedAt: string, execution?: string): ExtractCheckpoint {
  return {
    version: 1,
    date,
    fingerprint,
    execution,
    startedAt,
    finished: false,
    slices: 0,
    done: [],
    artistAlbums: {},
    parts: [],
    objects: {},
    rawBytes: 0,
    rejects: { count: 0, byEntity: {}, reasons: {} },
    stats: { requests: 0, byEndpoint: {}, byBucket: {}, retries: 0, tokenRequests: 0 },
    capabilities: {
      batchArtists: "unknown",
      batchAlbums: "unknown",
      batchTracks: "unknown",
      playlistItems: "unknown",
      largePages: "unknown",
    },
    skipped: [],
    carried: {},
    checks: { changeChecks: 0, notModified: 0 },
  };
}

/**
 * Extracts every configured source for `date` into `store`, continuing from the date's checkpoint. Throws ConfigError
 * before any request. Returns `done: false` when a slice stopped early (call again to continue).
 */
export async function runExtract(opts: RunExtractOptions): Promise<ExtractResult> {
  const date = assertRunDate(opts.date);
  const config = parseConfig(opts.config, "The extract config");
  if (!opts.spotify.clientId || !opts.spotify.clientSecret) {
    throw new ConfigError({
      reason: "credentialsMissing",
      missing: [
        ...(opts.spotify.clientId ? [] : ["SPOTIFY_CLIENT_ID" as const]),
        ...(opts.spotify.clientSecret ? [] : ["SPOTIFY_CLIENT_SECRET" as const]),
      ],
    });
  }
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  const dataSource = opts.dataSource ?? "spotify";
  const store = opts.store;
  const extract = config.extract;
  const fingerprint = extractFingerprint(config, dataSource);

  const fence = new CheckpointFence(store, date);
  const previous = await fence.read();
  if (previous?.finished && opts.execution && previous.execution === opts.execution) {
    const manifest = await store.get(manifestKey(date));
    if (manifest)
      return resultOf(
        parseManifest<ExtractManifest>(manifest, { location: store.location, key: manifestKey(date), date }),
        true,
        0,
      );
  }
  const resumable =
    previous !== undefined &&
    !previous.finished &&
    previous.fingerprint === fingerprint &&
    !(opts.refetch && previous.execution !== opts.execution);
  // The execution continuing a checkpoint owns it from now on (an AWS redrive is a new execution).
  const cp: ExtractCheckpoint = resumable
    ? { ...previous, execution: opts.execution ?? previous.execution }
    : freshCheckpoint(date, fingerprint, now().toISOString(), opts.execution);
  if (previous && !resumable && !previous.finished) {
    logger.info("extract: starting over (the checkpoint is of other work, or a refetch was asked for)", { date });
  }
  // The last known state: the latest earlier published day (read before any request; see extract/known-state.ts).
  const known = await readKnownState(store, date);
  const carried: Partial<Record<RawEntity, number>> = { ...cp.carried };
  const checks = { changeChecks: 0, notModified: 0, ...cp.checks };
  const staleRecords: StaleRecord[] = [...(cp.stale ?? [])];
  cp.carried = carried;
  cp.checks = checks;
  cp.stale = staleRecords;
  const done = new Set(cp.done);
  const skipped = cp.skipped;
  const userToken = Boolean(opts.spotify.refreshToken);
  const inner = createSpotifyClient(opts.spotify, {
    concurrency: extract.concurrency,
    maxRetries: extract.maxRetries,
    maxRetryAfterSeconds: extract.maxRetryAfterSeconds,
    requestTimeoutSeconds: extract.requestTimeoutSeconds,
    maxResponseBytes: extract.maxResponseBytes,
    sleepRetryAfterSeconds: opts.slice ? extract.sleepRetryAfterSeconds : undefined,
    bucketBudgets: budgetsLeft(config, cp),
    logger,
    now,
    ...opts.client,
  });

  // Stop states: `stopping` ends the starting of units; `abandon` fails the running ones at their next request.
  let stopping = false;
  let abandon = false;
  let failure: { error: unknown } | undefined;
  let waitSeconds = 0;
  let sent = 0;
  const writer = new RawWriter({ store, date, tag: newTag(), partSize: opts.partSize });
  const client: SpotifyClient = {
    hasUserToken: inner.hasUserToken,
    stats: inner.stats,
    get: async (pathOrUrl, options) => {
      if (abandon) throw new ExtractUnitAbandonedError({ by: "sliceEnd" });
      sent++;
      return inner.get(pathOrUrl, options);
    },
  };
  // An `auto` run starts from what the base day learnt of the app's access, so it does not probe again.
  const learnt = resumable ? cp.capabilities : (known.capabilities as ExtractCheckpoint["capabilities"] | undefined);
  const access = new AccessState(extract.accessProfile, logger, learnt);
  const ctx: ExtractContext = { client, access, options: extract, stamp: () => now().toISOString(), skipped };
  ctx.lake = { store: opts.store, date, rawPrefix: (entity, day) => rawPrefix(entity as RawEntity, day) };
  logger.info("extract started", { date, dataSource, accessProfile: extract.accessProfile, resumed: done.size });

  // Checkpoints: one at a time; the state they record is taken when they start. One that is queued and not started
  // yet stands for every later call (it records their state too): a slow write does not pile up a queue of
  // checkpoints, each rewriting the open parts, that the run then waits for at its end.
  let lastCheckpointAt = 0;
  let checkpointing: Promise<void> = Promise.resolve();
  let queuedCheckpoint: Promise<void> | undefined;
  let saved: ExtractCheckpoint = cp;
  const checkpoint = (): Promise<void> => {
    if (queuedCheckpoint) return queuedCheckpoint;
    const next = checkpointing.then(async () => {
      queuedCheckpoint = undefined;
      lastCheckpointAt = sent;
      const snapshot = {
        done: [...done],
        objects: { ...cp.objects },
        rejects: structuredClone(cp.rejects),
        artistAlbums: { ...cp.artistAlbums },
        carried: { ...carried },
        stale: [...staleRecords],
        checks: { ...checks },
        rawBytes: cp.rawBytes + writer.rawBytes,
      };
      const { parts, superseded } = await writer.flush();
      const written: ExtractCheckpoint = {
        ...cp,
        ...snapshot,
        // Parts of earlier slices, then this slice's.
        parts: [...cp.parts, ...parts],
        stats: addStats(cp.stats, inner.stats()),
        capabilities: access.snapshot(),
        skipped: [...skipped],
      };
      await fence.write(written);
      saved = written;
      if (superseded.length > 0) await store.delete(superseded);
    });
    queuedCheckpoint = next;
    checkpointing = next.catch(() => undefined);
    return next;
  };
  const commit = (keys: readonly string[], out: Collected): void => {
    const byEntity = new Map<RawEntity, string[]>();
    for (const record of out.raw) {
      // Sources write only their declared entities (sources/index.ts).
      const entity = record.entity as RawEntity;
      const list = byEntity.get(entity);
      if (list) list.push(record.line);
      else byEntity.set(entity, [record.line]);
      if (record.carried) carried[entity] = (carried[entity] ?? 0) + 1;
    }
    checks.changeChecks += out.checks.changeChecks;
    checks.notModified += out.checks.notModified;
    for (const [entity, lines] of byEntity) {
      writer.append("raw", entity, lines);
      cp.objects[entity] = (cp.objects[entity] ?? 0) + lines.length;
    }
    const rejectLines = new Map<RawEntity, string[]>();
    for (const reject of out.rejects) {
      const entity = reject.entity as RawEntity;
      const list = rejectLines.get(entity) ?? [];
      list.push(
        JSON.stringify({
          _reason: reject.reason,
          _source: reject.source,
          _fetched_at: reject.fetchedAt,
          item: reject.item,
        }),
      );
      rejectLines.set(entity, list);
      cp.rejects.count++;
      cp.rejects.byEntity[entity] = (cp.rejects.byEntity[entity] ?? 0) + 1;
      const reason = reject.reason.slice(0, 200);
      cp.rejects.reasons[reason] = (cp.rejects.reasons[reason] ?? 0) + 1;
    }
    for (const [entity, lines] of rejectLines) writer.append("rejects", entity, lines);
    for (const key of keys) done.add(key);
    if (sent - lastCheckpointAt >= extract.checkpointEveryRequests) {
      void checkpoint().catch(fail);
    }
  };
  const fail = (error: unknown) => {
    failure ??= { error };
    stopping = true;
    abandon = true;
  };

  /** No unit starts while the sources plan, so that deferred work can be queued before the rest. */
  let planning = true;
  const pool = new WorkPool(
    extract.concurrency,
    () => !planning && !stopping && !(opts.slice && Date.now() >= opts.slice.stopAt),
    () => albumQueue.flushAll(),
    (unit, error) => {
      if (error instanceof ExtractUnitAbandonedError) return;
      const fallback = fallbacks.get(unit.key);
      if (error instanceof SpotifyQuotaExceededError && error.bucket && fallback && known.base) {
        // Only the work of the exhausted bucket stops: it is carried forward stale from the last known state, and the
        // rest of the run goes on. With no earlier day there is nothing to carry: the run stops as it always did.
        const reason = error.retryAt
          ? `Spotify says the bucket is exhausted until ${error.retryAt.toISOString()}`
          : "the config's per-day cap (extract.quota) is spent";
        noteStale(fallback.source, error.bucket, reason);
        fallback.carry(error.bucket);
        return;
      }
      if (error instanceof SpotifyRetryLaterError) {
        stopping = true;
        waitSeconds = Math.max(waitSeconds, Math.ceil(error.retryAfterSeconds));
        return;
      }
      logger.debug("extract: unit failed", { unit: unit.key, error: (error as Error).name });
      fail(error);
    },
  );
  /** What each unit carries forward stale when its quota bucket is exhausted, and the source it works for. */
  const fallbacks = new Map<string, { source: string; carry: (bucket: string) => void }>();
  const unit = (
    key: string,
    source: string,
    run: () => Promise<void>,
    carryKeys: () => readonly string[],
    onStale?: () => void,
  ) => {
    fallbacks.set(key, {
      source,
      carry: (bucket) => {
        onStale?.();
        carryStale(carryKeys(), bucket);
      },
    });
    // Work an earlier day carried forward stale comes first, before today's other work spends the bucket.
    const deferred = carryKeys().some((k) => known.linesOf(k).some(({ entry }) => entry.stale));
    pool.push({ key, run }, deferred);
  };
  /** Carries the known objects of unit keys forward marked stale (`_stale`: the bucket), and marks the keys done. */
  const carryStale = (keys: readonly string[], bucket: string) => {
    for (const key of keys) {
      if (done.has(key)) continue;
      const out = new Collected();
      for (const { entity, entry } of known.linesOf(key)) {
        out.addLine(entity, carriedLine(entry, known.base ?? date, bucket));
      }
      commit([key], out);
    }
  };
  const noteStale = (source: string, bucket: string, reason: string) => {
    if (staleRecords.some((r) => r.source === source && r.bucket === bucket)) return;
    const since = known.stale.find((r) => r.source === source && r.bucket === bucket)?.since ?? date;
    staleRecords.push({ source, bucket, reason: reason.slice(0, 500), since });
    logger.warn("extract: quota bucket exhausted; its work is carried forward stale", { source, bucket });
  };
  /**
   * A batch planned before `auto` learnt that batch calls are refused becomes one unit per id, so that a checkpoint
   * records each id as it is done instead of a whole batch's worth of single requests.
   */
  const splitRefused = (cap: Capability, group: readonly string[], single: (id: string) => void): boolean => {
    if (group.length <= 1 || access.allowed(cap)) return false;
    for (const id of group) single(id);
    return true;
  };
  const albumQueue = new AlbumQueue(
    ctx,
    (id) => done.has(`album:${id}`),
    (group) =>
      unit(
        `albums:${group[0]}`,
        "albums",
        async () => {
          if (splitRefused("batchAlbums", group, (id) => albumQueue.requeue(id))) return;
          const byId = await extractAlbums(ctx, group, albumQueue.sources);
          for (const id of group) {
            const out = byId.get(id);
            if (out) commit([`album:${id}`], out);
          }
        },
        () => group.map((id) => `album:${id}`),
      ),
  );

  const byIds = (
    source: string,
    kind: "artist" | "track",
    ids: readonly string[],
    fetch: (group: string[]) => Promise<Collected>,
  ) => {
    const left = ids.filter((id) => !done.has(`${kind}:${id}`));
    const cap = kind === "artist" ? "batchArtists" : "batchTracks";
    const size = access.allowed(cap) ? (kind === "artist" ? BATCH_SIZE.artists : BATCH_SIZE.tracks) : 1;
    const keys = (group: readonly string[]) => group.map((id) => `${kind}:${id}`);
    const add = (group: string[]) =>
      unit(
        `${kind}s:${group[0]}`,
        source,
        async () => {
          if (splitRefused(cap, group, (id) => add([id]))) return;
          commit(keys(group), await fetch(group));
        },
        () => keys(group),
      );
    for (const group of chunk(left, size)) add(group);
  };
  /** Known objects fetched again because they were due (counted once per object across slices). */
  const refreshed = new Set<string>();
  const due: Planner["due"] = (kind, id, stamp) => {
    const yes = isDue(kind, id, stamp, date, extract.refresh);
    if (yes && stamp) refreshed.add(`${kind}:${id}`);
    return yes;
  };
  const carry: Planner["carry"] = (key, lines) => {
    if (done.has(key)) return;
    const out = new Collected();
    for (const { entity, entry } of lines) out.addLine(entity, carriedLine(entry, known.base ?? date));
    commit([key], out);
  };
  const planner = (user: boolean, source: string): Planner => ({
    ctx,
    known,
    due,
    onSlot: (kind, id) => onSlot(kind, id, date, extract.refresh),
    carry,
    isDone: (key) => done.has(key),
    unit: (key, run) => {
      if (!done.has(key))
        unit(
          key,
          source,
          async () => commit([key], await run()),
          () => [key],
        );
    },
    list: (key, request) => {
      if (done.has(key)) return;
      unit(
        key,
        source,
        async () => {
          const out = new Collected();
          let index = 0;
          const pages = followPages(
            ctx.client,
            { url: request.url },
            {
              user,
              maxItems: request.maxItems,
              selector: request.selector,
            },
          );
          for await (const page of pages) {
            const fetchedAt = ctx.stamp();
            for (const item of page.items) {
              if (request.maxItems !== undefined && index >= request.maxItems) break;
              out.addChecked(request.entity, request.item, item, {
                _fetched_at: fetchedAt,
                _source: request.source,
                ...request.provenance?.(index),
              });
              index++;
            }
          }
          commit([key], out);
        },
        () => [key],
      );
    },
    byIds: (kind, ids, fetch) => byIds(source, kind, ids, fetch),
    albums: (ids, sourceOf) => albumQueue.add(dueOrCarry(catalog, "albums", ids), sourceOf),
    discover: (key, run, from) => {
      // The checkpoint remembers the albums a finished unit named, under the id its key ends with.
      const id = key.slice(key.indexOf(":") + 1);
      if (done.has(key)) {
        albumQueue.add(dueOrCarry(catalog, "albums", cp.artistAlbums[id] ?? []), () => from);
        return;
      }
      const named = (albumIds: string[]) => {
        cp.artistAlbums[id] = albumIds;
        albumQueue.add(dueOrCarry(catalog, "albums", albumIds), () => from);
      };
      unit(
        key,
        source,
        async () => {
          const result = await run();
          commit([key], result.out);
          named(result.albumIds);
        },
        () => [key],
        // Stale: the known albums of the artist stand for its list, and are still fetched where due.
        () =>
          named(
            known.linesOf(key).flatMap(({ entry }) => (typeof entry.object.id === "string" ? [entry.object.id] : [])),
          ),
      );
    },
  });
  const catalog = planner(false, "albums");
  // Every source plans its units from its config entries; user sources only with the user's token.
  let userWanted = false;
  for (const source of SOURCES) {
    // Each source's plan takes its own entries; the union of all sources' entry types cannot name them.
    const entries = entriesOf(source, config.sources) as never;
    if (source.section === "user" && !userToken) {
      const wanted = () => {
        userWanted = true;
      };
      source.plan(entries, { ...planner(true, source.name), unit: wanted, list: wanted });
      continue;
    }
    source.plan(entries, planner(source.section === "user", source.name));
  }
  const userNote = "user sources: SPOTIFY_REFRESH_TOKEN is not set (run `tunelake auth` to get one)";
  if (userWanted && !skipped.includes(userNote)) {
    skipped.push(userNote);
    logger.warn("user sources skipped: SPOTIFY_REFRESH_TOKEN is not set; run `tunelake auth`");
  }

  const abandonTimer = opts.slice
    ? setTimeout(
        () => {
          stopping = true;
          abandon = true;
        },
        Math.max(0, opts.slice.abandonAt - Date.now()),
      )
    : undefined;
  planning = false;
  try {
    await pool.drain();
  } finally {
    if (abandonTimer) clearTimeout(abandonTimer);
  }
  const complete = !stopping && !abandon && pool.queued === 0 && albumQueue.pending === 0;
  await checkpoint();
  const final: ExtractCheckpoint = { ...saved, slices: saved.slices + 1 };
  if (failure) {
    await fence.write(final);
    throw failure.error;
  }
  if (!complete) {
    await fence.write(final);
    logger.info("extract: slice ended", { date, done: done.size, waitSeconds });
    return sliceResult(date, final, waitSeconds, dataSource, access.effective);
  }
  return publish(store, fence, final, config, dataSource, access, now, logger, { known, refreshed: refreshed.size });
}

/** What each capped quota bucket may still send on the run date: its cap less what earlier slices spent. */
function budgetsLeft(config: Config, cp: ExtractCheckpoint): Partial<Record<QuotaBucket, number>> {
  const left: Partial<Record<QuotaBucket, number>> = {};
  for (const bucket of QUOTA_BUCKETS) {
    const cap = config.extract.quota[bucket]?.maxRequestsPerDay;
    if (cap !== undefined) left[bucket] = Math.max(0, cap - (cp.stats.byBucket?.[bucket] ?? 0));
  }
  return left;
}

/** Publishes a finished checkpoint: rejects, the manifest (last, listing every part), then removes unlisted parts. */
async function publish(
  store: ObjectStore,
  fence: CheckpointFence,
  cp: ExtractCheckpoint,
  config: Config,
  dataSource: "spotify" | "sample",
  access: AccessState,
  now: () => Date,
  logger: Logger,
  incremental: { known: KnownState; refreshed: number },
): Promise<ExtractResult> {
  const date = cp.date;
  const keys = cp.parts
    .filter((p) => p.kind === "raw")
    .map((p) => p.key)
    .sort();
  const rejectKeys: string[] = [];
  for (const entity of RAW_ENTITIES) {
    const parts = cp.parts.filter((p) => p.kind === "rejects" && p.entity === entity);
    if (parts.length === 0) continue;
    // Gzip members concatenate into one valid gzip file.
    const bodies = await Promise.all(parts.map(async (p) => (await store.get(p.key)) ?? Buffer.alloc(0)));
    const key = rejectsKey(date, entity);
    await store.put(key, Buffer.concat(bodies), "application/gzip");
    rejectKeys.push(key);
  }
  const stats = cp.stats;
  const objects = Object.fromEntries(RAW_ENTITIES.map((e) => [e, cp.objects[e] ?? 0])) as Record<RawEntity, number>;
  const rejects = summarizeRejects(cp.rejects, rejectKeys);
  const manifest: ExtractManifest = {
    date,
    dataSource,
    startedAt: cp.startedAt,
    finishedAt: now().toISOString(),
    requestedAccessProfile: config.extract.accessProfile,
    accessProfile: access.effective,
    capabilities: cp.capabilities,
    sources: config.sources,
    objects,
    slices: cp.slices,
    lineLimit: MAX_RAW_LINE_BYTES,
    keys,
    requests: {
      total: stats.requests,
      byEndpoint: stats.byEndpoint,
      byBucket: Object.fromEntries(QUOTA_BUCKETS.map((b) => [b, stats.byBucket?.[b] ?? 0])),
      tokenRequests: stats.tokenRequests,
    },
    retries: stats.retries,
    rejects,
    skipped: cp.skipped,
    base: incremental.known.base ?? null,
    carriedForward: Object.fromEntries(RAW_ENTITIES.map((e) => [e, cp.carried?.[e] ?? 0])) as Record<RawEntity, number>,
    refreshed: incremental.refreshed,
    changeChecks: cp.checks?.changeChecks ?? 0,
    notModified: cp.checks?.notModified ?? 0,
    stale: cp.stale ?? [],
  };
  await store.put(manifestKey(date), `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  await fence.write({ ...cp, finished: true });
  const listed = new Set([...keys, ...rejectKeys]);
  const stale = (
    await Promise.all(
      [...RAW_ENTITIES.map((e) => rawPrefix(e, date)), rejectsPrefix(date), checkpointRejectsPrefix(date)].map((p) =>
        store.list(p),
      ),
    )
  )
    .flat()
    .filter((k) => !listed.has(k));
  if (stale.length > 0) await store.delete(stale);
  logger.info("extract finished", { date, objects, requests: stats.requests, rejects: rejects.count });
  return resultOf(manifest, true, 0);
}

function resultOf(m: ExtractManifest, done: boolean, waitSeconds: number): ExtractResult {
  return {
    date: m.date,
    done,
    waitSeconds,
    manifestKey: manifestKey(m.date),
    accessProfile: m.accessProfile,
    objects: m.objects,
    keys: m.keys,
    requests: m.requests.total,
    retries: m.retries,
    rejects: m.rejects.count,
    dataSource: m.dataSource,
  };
}

function sliceResult(
  date: string,
  cp: ExtractCheckpoint,
  waitSeconds: number,
  dataSource: "spotify" | "sample",
  accessProfile: "development" | "extended",
): ExtractResult {
  return {
    date,
    done: false,
    waitSeconds,
    manifestKey: manifestKey(date),
    accessProfile,
    objects: cp.objects,
    keys: cp.parts.filter((p) => p.kind === "raw").map((p) => p.key),
    requests: cp.stats.requests,
    retries: cp.stats.retries,
    rejects: cp.rejects.count,
    dataSource,
  };
}
