/**
 * Where a local run's Spotify data comes from: the real API when credentials are set (or `--source spotify`),
 * otherwise the built-in sample API, a deterministic fake Spotify on 127.0.0.1 (README "Quickstart"). Resolved when
 * the run is prepared (run-setup.ts), from the environment the caller gives.
 */
import { readSpotifyEnv, requestsSpotifyCredentials, type SpotifyEnv } from "@tunelake/core/config/env";
import { ConfigError } from "@tunelake/core/errors";
import { SAMPLE_BANNER, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { type FaultName, isSpotifyFault, sampleFaultsFor } from "./faults/index.ts";

export type SourceFlag = "auto" | "spotify" | "sample";

/**
 * The sample API's access profile and response shape: `extended` and the 2026 shape by default, so that every table
 * fills; TUNELAKE_SAMPLE_PROFILE=development shows what a new Spotify app gets.
 */
function sampleSetting<const T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly [T, ...T[]]): T {
  const value = env[name]?.trim();
  if (!value) return allowed[0];
  if (!allowed.includes(value as T))
    throw new ConfigError({ reason: "notOneOf", variable: name, value: String(value), allowed });
  return value as T;
}

export interface ResolvedSource {
  /** Printed before a run so that nobody mistakes sample data for Spotify's. */
  banner?: string;
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  close(): Promise<void>;
}

/**
 * Resolves `--source` in `env`; for the sample API, starts it with the injected spotify-* faults and its world on
 * `worldDate`, the run date (the sample world changes from day to day from its epoch on: README, "Quickstart").
 */
export async function resolveSource(
  flag: SourceFlag,
  faults: readonly FaultName[],
  env: NodeJS.ProcessEnv,
  worldDate?: string,
): Promise<ResolvedSource> {
  // `--source sample` is the explicit way to sample data; `auto` refuses half-set credentials instead of guessing.
  const useSpotify = flag === "spotify" || (flag === "auto" && requestsSpotifyCredentials(env));
  if (useSpotify) {
    const spotify = readSpotifyEnv(env);
    if (faults.some(isSpotifyFault)) {
      throw new ConfigError({ reason: "spotifyFaultWithoutSample" });
    }
    return { spotify, dataSource: "spotify", close: async () => {} };
  }
  // TUNELAKE_SAMPLE_SHAPE=drift (2026 shape), drift-2025 or drift-2026: the spotify-drift fault on that shape.
  const shape = sampleSetting(env, "TUNELAKE_SAMPLE_SHAPE", [
    "2026",
    "2025",
    "drift",
    "drift-2025",
    "drift-2026",
  ] as const);
  const server = await startSampleServer({
    profile: sampleSetting(env, "TUNELAKE_SAMPLE_PROFILE", ["extended", "development"] as const),
    shape: shape.endsWith("2025") ? "2025" : "2026",
    faults: { ...sampleFaultsFor(faults), ...(shape.startsWith("drift") ? { drift: true } : {}) },
    worldDate,
  });
  // The sample API also hands out a user refresh token, so user-scoped sources work on sample data too.
  return { spotify: sampleEnv(server, true), dataSource: "sample", banner: SAMPLE_BANNER, close: () => server.close() };
}
