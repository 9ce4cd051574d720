/**
 * `tunelake plan`: the requests the next run of a date would make, per quota bucket, before any request. It runs every
 * source's own `plan` (the same decisions as the run: refresh rotation, change checks, carry-forward, from the same
 * last known state) with a planner that counts instead of fetching. On a day where nothing changed it matches the
 * run's `requests.byBucket` exactly; new objects (no known copy) count as their first request only (docs/tables.md,
 * "Incremental runs").
 */
import { parseConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { PlanSentRequestError } from "../errors.ts";
import { assertRunDate } from "../lake.ts";
import { silentLogger } from "../logger.ts";
import type { Estimate, Planner } from "../sources/define-source.ts";
import { entriesOf, SOURCES } from "../sources/index.ts";
import type { SpotifyClient } from "../spotify/client.ts";
import { QUOTA_BUCKETS, type QuotaBucket, quotaBucketOf } from "../spotify/quota-buckets.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { AccessState, BATCH_SIZE, type Capability, PAGE_LIMIT } from "./access.ts";
import type { ExtractContext } from "./context.ts";
import { dueOrCarry } from "./incremental.ts";
import type { StaleRecord } from "./known-objects.ts";
import { readKnownState } from "./known-state.ts";
import { isDue, onSlot } from "./refresh.ts";

export interface RequestPlan {
  date: string;
  /** The run date whose raw zone is the last known state (null: none, everything is new). */
  base: string | null;
  requests: { total: number; byBucket: Record<QuotaBucket, number>; byEndpoint: Record<string, number> };
  /** Requests per reason: change checks, refreshes of known objects, deferred (stale) work, new work. */
  byReason: Record<Estimate["why"], number>;
  /** Objects per fate: carried forward unchanged, refreshed, deferred from a stale day, new. */
  objects: { carried: number; refresh: number; deferred: number; new: number };
  /** The config's per-day caps the plan passes (the run would carry those buckets' rest forward stale). */
  overBudget: { bucket: QuotaBucket; requests: number; cap: number }[];
  /** Sources the base day left stale: their work is planned first. */
  deferredFrom: StaleRecord[];
}

export interface PlanRequestsOptions {
  config: Config;
  date: string;
  /** The raw zone holding the last known state. */
  store: ObjectStore;
  /** Whether the run would have the user's refresh token (user sources). */
  userToken: boolean;
}

/** Plans the requests of the run of `date` (see the module comment); no request is sent. */
export async function planRequests(opts: PlanRequestsOptions): Promise<RequestPlan> {
  const date = assertRunDate(opts.date);
  const config = parseConfig(opts.config, "The extract config");
  const extract = config.extract;
  const known = await readKnownState(opts.store, date);
  const access = new AccessState(
    extract.accessProfile,
    silentLogger,
    known.capabilities as Record<Capability, "yes" | "no" | "unknown"> | undefined,
  );
  const noRequests: SpotifyClient = {
    hasUserToken: opts.userToken,
    get: (pathOrUrl) => Promise.reject(new PlanSentRequestError({ url: pathOrUrl })),
    stats: () => ({ requests: 0, byEndpoint: {}, byBucket: {}, retries: 0, tokenRequests: 0 }),
  };
  const ctx: ExtractContext = { client: noRequests, access, options: extract, stamp: () => "", skipped: [] };

  const byEndpoint: Record<string, number> = {};
  const byReason: Record<Estimate["why"], number> = { check: 0, refresh: 0, deferred: 0, new: 0 };
  const objects = { carried: 0, refresh: 0, deferred: 0, new: 0 };
  const count = (requests: Record<string, number>, why: Estimate["why"], checks = 0) => {
    for (const [endpoint, n] of Object.entries(requests)) {
      byEndpoint[endpoint] = (byEndpoint[endpoint] ?? 0) + n;
      byReason[why] += n;
    }
    if (why !== "check") {
      byReason.check += checks;
      byReason[why] -= checks;
    }
  };
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && Boolean(seen.add(key));
  /** The fate of each known object asked about, by refresh kind and id. */
  const fates = new Map<string, "refresh" | "deferred" | "new">();
  const whyOf = (key: string): Estimate["why"] => fates.get(key) ?? "new";
  const due: Planner["due"] = (kind, id, stamp) => {
    const yes = isDue(kind, id, stamp, date, extract.refresh);
    if (yes) fates.set(`${kind}:${id}`, !stamp ? "new" : stamp.stale ? "deferred" : "refresh");
    return yes;
  };
  const dueAlbums = new Set<string>();
  const idsWithout = (kind: "artists" | "tracks" | "albums", ids: readonly string[]) =>
    ids.filter((id) => !known[kind].has(id) && !fates.has(`${kind}:${id}`));
  const planner = (source: string, user: boolean): Planner => ({
    ctx,
    known,
    due,
    onSlot: (kind, id) => onSlot(kind, id, date, extract.refresh),
    isDone: () => false,
    carry: (key) => {
      if (once(key)) objects.carried++;
    },
    unit: (key, _run, estimate) => {
      if (!once(key)) return;
      const e = estimate ?? { requests: { [`GET ${source}`]: 1 }, why: "new" as const };
      count(e.requests, e.why);
    },
    list: (key, request) => {
      if (!once(key)) return;
      const url = new URL(request.url, "http://plan");
      const limit = Number(url.searchParams.get("limit") ?? PAGE_LIMIT.large);
      const pages = request.maxItems ? Math.ceil(request.maxItems / Math.max(1, limit)) : 1;
      count({ [`GET ${url.pathname.replace(/\/v1/, "")}`]: pages }, user ? "refresh" : "new");
    },
    byIds: (kind, ids) => {
      const plural = kind === "artist" ? "artists" : "tracks";
      for (const id of idsWithout(plural, ids)) fates.set(`${plural}:${id}`, "new");
      const fresh = ids.filter((id) => once(`${kind}:${id}`));
      const batch = access.allowed(kind === "artist" ? "batchArtists" : "batchTracks");
      const size = kind === "artist" ? BATCH_SIZE.artists : BATCH_SIZE.tracks;
      for (const id of fresh) {
        const why = whyOf(`${plural}:${id}`);
        count(batch ? {} : { [`GET /${plural}/{id}`]: 1 }, why);
      }
      if (batch && fresh.length > 0) count({ [`GET /${plural}`]: Math.ceil(fresh.length / size) }, "refresh");
    },
    albums: (ids) => {
      for (const id of dueOrCarry(catalog, "albums", ids)) dueAlbums.add(id);
    },
    discover: (key, _run, _source, estimate) => {
      if (!once(key) || !estimate) return;
      count(estimate.requests, estimate.why, estimate.checks);
      for (const id of dueOrCarry(catalog, "albums", estimate.albumIds)) dueAlbums.add(id);
    },
  });
  const catalog = planner("albums", false);
  for (const source of SOURCES) {
    if (source.section === "user" && !opts.userToken) continue;
    source.plan(entriesOf(source, config.sources) as never, planner(source.name, source.section === "user"));
  }
  // Albums: batches of 20 where allowed (the run fills every batch but the last), and the further track pages of
  // the known copies.
  const albums = [...dueAlbums];
  for (const id of idsWithout("albums", albums)) fates.set(`albums:${id}`, "new");
  if (access.allowed("batchAlbums")) {
    if (albums.length > 0) count({ "GET /albums": Math.ceil(albums.length / BATCH_SIZE.albums) }, "refresh");
  } else {
    for (const id of albums) count({ "GET /albums/{id}": 1 }, whyOf(`albums:${id}`));
  }
  for (const id of albums) {
    const tracks = (known.albums.get(id)?.object as { tracks?: Record<string, unknown> } | undefined)?.tracks;
    if (!tracks?.next || !Array.isArray(tracks.items)) continue;
    const left = Number(tracks.total ?? 0) - Number(tracks.offset ?? 0) - tracks.items.length;
    const pages = Math.ceil(Math.max(0, left) / Math.max(1, Number(tracks.limit ?? 50)));
    if (pages > 0) count({ "GET /albums/{id}/tracks": pages }, whyOf(`albums:${id}`));
  }
  for (const fate of fates.values()) objects[fate]++;

  const byBucket = Object.fromEntries(QUOTA_BUCKETS.map((b) => [b, 0])) as Record<QuotaBucket, number>;
  for (const [endpoint, n] of Object.entries(byEndpoint)) byBucket[quotaBucketOf(endpoint)] += n;
  const overBudget = QUOTA_BUCKETS.flatMap((bucket) => {
    const cap = extract.quota[bucket]?.maxRequestsPerDay;
    return cap !== undefined && byBucket[bucket] > cap ? [{ bucket, requests: byBucket[bucket], cap }] : [];
  });
  return {
    date,
    base: known.base ?? null,
    requests: { total: Object.values(byEndpoint).reduce((a, b) => a + b, 0), byBucket, byEndpoint },
    byReason,
    objects,
    overBudget,
    deferredFrom: [...known.stale],
  };
}
