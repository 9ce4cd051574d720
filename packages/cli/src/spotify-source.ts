/**
 * Where the Spotify data comes from: the real API when credentials are set (or `--source spotify`), otherwise the
 * built-in sample API, a deterministic fake Spotify on 127.0.0.1 (DESIGN §5).
 */
import { hasSpotifyCredentials, readSpotifyEnv, type SpotifyEnv } from "@tunelake/core/config/env";
import { ConfigError } from "@tunelake/core/errors";
import { startSampleServer } from "@tunelake/core/spotify/sample-server";
import { sampleFaultsFor } from "./faults.ts";

export type SourceFlag = "auto" | "spotify" | "sample";

export interface ResolvedSource {
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  close(): Promise<void>;
}

/** Resolves `--source`; for the sample API, starts it with the injected spotify-* faults. */
export async function resolveSource(flag: SourceFlag, faults: readonly string[] = []): Promise<ResolvedSource> {
  if (!["auto", "spotify", "sample"].includes(flag)) {
    throw new ConfigError(`--source must be auto, spotify or sample, got "${flag}".`);
  }
  const useSpotify = flag === "spotify" || (flag === "auto" && hasSpotifyCredentials());
  if (useSpotify) {
    const spotify = readSpotifyEnv();
    if (faults.some((f) => f.startsWith("spotify-"))) {
      throw new ConfigError("spotify-* faults are injected into the sample API only: add --source sample.");
    }
    return { spotify, dataSource: "spotify", close: async () => {} };
  }
  const server = await startSampleServer({ faults: sampleFaultsFor(faults) });
  const spotify = readSpotifyEnv({
    SPOTIFY_CLIENT_ID: server.clientId,
    SPOTIFY_CLIENT_SECRET: server.clientSecret,
    SPOTIFY_API_BASE_URL: server.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: server.accountsBaseUrl,
  });
  return { spotify, dataSource: "sample", close: () => server.close() };
}
