/**
 * Extract: Spotify -> raw zone for one run date. Config and date are checked before any request; every source is
 * fetched with the access the app has; each id once; everything is written at the end (replacing the date), with
 * rejects and a manifest. Returns the small summary the state machine passes on.
 */
import type { SpotifyEnv } from "../config/env.ts";
import { parseConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";
import { ConfigError } from "../errors.ts";
import { assertRunDate, manifestKey } from "../lake.ts";
import { type Logger, silentLogger } from "../logger.ts";
import type { ExtractResult } from "../pipeline-types.ts";
import { createSpotifyClient, type SpotifyClientOptions } from "../spotify/client.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { AccessState } from "./access.ts";
import { AlbumQueue } from "./album-queue.ts";
import { Collected } from "./collected.ts";
import type { ExtractContext } from "./context.ts";
import { extractArtistAlbums, extractArtists, extractTracks } from "./fetch-catalog.ts";
import { extractPlaylist } from "./fetch-playlists.ts";
import { extractSearch } from "./fetch-searches.ts";
import { extractUser, wantsUserSources } from "./fetch-user.ts";
import { type ExtractManifest, summarizeRejects } from "./manifest.ts";
import { planExtract } from "./plan.ts";
import { DEFAULT_PART_SIZE, writeRawZone } from "./raw-writer.ts";

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
}

/** Extracts every configured source for `date` into `store`. Throws ConfigError before any request. */
export async function runExtract(opts: RunExtractOptions): Promise<ExtractResult> {
  const date = assertRunDate(opts.date);
  const config = parseConfig(opts.config, "The extract config");
  if (!opts.spotify.clientId || !opts.spotify.clientSecret) {
    throw new ConfigError(
      "Spotify credentials are missing: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET, or run with --source sample.",
    );
  }
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? (() => new Date());
  const dataSource = opts.dataSource ?? "spotify";
  const startedAt = now().toISOString();
  const plan = planExtract(config);
  const skipped: string[] = [];
  const userWanted = wantsUserSources(config.sources.user);
  const userReady = userWanted && Boolean(opts.spotify.refreshToken);
  if (userWanted && !userReady) {
    skipped.push("user sources: SPOTIFY_REFRESH_TOKEN is not set (run `tunelake auth` to get one)");
    logger.warn("user sources skipped: SPOTIFY_REFRESH_TOKEN is not set; run `tunelake auth`");
  }
  const extract = config.extract;
  const client = createSpotifyClient(opts.spotify, {
    concurrency: extract.concurrency,
    maxRetries: extract.maxRetries,
    maxRetryAfterSeconds: extract.maxRetryAfterSeconds,
    requestTimeoutSeconds: extract.requestTimeoutSeconds,
    logger,
    now,
    ...opts.client,
  });
  const access = new AccessState(extract.accessProfile, logger);
  const ctx: ExtractContext = { client, access, options: extract, stamp: () => now().toISOString(), skipped };
  ctx.lake = { store: opts.store, date };
  logger.info("extract started", { date, dataSource, accessProfile: extract.accessProfile });

  // Albums are fetched as soon as the config or an artist names them, alongside everything else.
  const albumQueue = new AlbumQueue(ctx);
  albumQueue.add(plan.albums, (id) => `album:${id}`);
  const [artists, artistAlbums, tracks, playlists, searches, user] = await Promise.all([
    extractArtists(ctx, plan.artists),
    Promise.all(
      plan.artists.map(async (artistId) => {
        const result = await extractArtistAlbums(ctx, artistId);
        albumQueue.add(result.albumIds, () => `artist:${artistId}`);
        return result;
      }),
    ),
    extractTracks(ctx, plan.tracks),
    Promise.all(plan.playlists.map((id) => extractPlaylist(ctx, id))),
    Promise.all(plan.searches.map((search) => extractSearch(ctx, search))),
    userReady ? extractUser(ctx, config.sources.user) : Promise.resolve(new Collected()),
  ]);
  await albumQueue.finish();
  const albums = albumQueue.collect([...plan.albums, ...artistAlbums.flatMap((a) => a.albumIds)]);
  logger.debug("extract: sources done", { requests: client.stats().requests });

  const collected = new Collected().merge([
    artists,
    ...artistAlbums.map((a) => a.out),
    albums,
    tracks,
    ...playlists,
    ...searches,
    user,
  ]);
  const written = await writeRawZone(opts.store, date, collected, opts.partSize ?? DEFAULT_PART_SIZE);
  logger.debug("extract: raw zone written", { keys: written.keys.length });
  const stats = client.stats();
  const rejects = summarizeRejects(collected, written.rejectKeys);
  const manifest: ExtractManifest = {
    date,
    dataSource,
    startedAt,
    finishedAt: now().toISOString(),
    requestedAccessProfile: extract.accessProfile,
    accessProfile: access.effective,
    capabilities: access.snapshot(),
    sources: config.sources,
    objects: written.objects,
    keys: written.keys,
    requests: { total: stats.requests, byEndpoint: stats.byEndpoint, tokenRequests: stats.tokenRequests },
    retries: stats.retries,
    rejects,
    skipped,
  };
  const key = manifestKey(date);
  await opts.store.put(key, `${JSON.stringify(manifest, null, 2)}\n`, "application/json");
  logger.info("extract finished", { date, objects: written.objects, requests: stats.requests, rejects: rejects.count });
  return {
    date,
    manifestKey: key,
    accessProfile: access.effective,
    objects: written.objects,
    keys: written.keys,
    requests: stats.requests,
    retries: stats.retries,
    rejects: rejects.count,
    dataSource,
  };
}
