/**
 * Dependencies of the handlers when they run in AWS Lambda: S3 buckets from the environment, Spotify credentials from
 * SST Config secrets (SSM, read at cold start), the sources config from TUNELAKE_CONFIG. Checked once, before any call.
 */
import os from "node:os";
import path from "node:path";
import { hasSpotifyCredentials, readSpotifyEnv } from "@tunelake/core/config/env";
import { parseConfig } from "@tunelake/core/config/load";
import { ConfigError } from "@tunelake/core/errors";
import { createLambdaLogger } from "@tunelake/core/logger";
import { S3ObjectStore } from "@tunelake/core/storage/s3-store";
import type { ExtractDeps, TransformDeps } from "./handler-deps.ts";
import { requireEnv } from "./require-env.ts";

/** Spotify secrets bound with SST `Config.Secret`; plain env vars win (useful in `sst dev`). */
async function spotifyEnvFromSecrets(): Promise<NodeJS.ProcessEnv> {
  if (hasSpotifyCredentials(process.env)) return process.env;
  const { Config } = (await import("sst/node/config")) as unknown as { Config: Record<string, string | undefined> };
  const refresh = Config.SPOTIFY_REFRESH_TOKEN;
  return {
    ...process.env,
    SPOTIFY_CLIENT_ID: Config.SPOTIFY_CLIENT_ID,
    SPOTIFY_CLIENT_SECRET: Config.SPOTIFY_CLIENT_SECRET,
    // "none" is the placeholder a stage without user-scoped sources sets.
    SPOTIFY_REFRESH_TOKEN: refresh && refresh !== "none" ? refresh : undefined,
  };
}

export async function extractDeps(): Promise<ExtractDeps> {
  let configJson: unknown;
  try {
    configJson = JSON.parse(requireEnv("TUNELAKE_CONFIG"));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError({ reason: "deployedConfigNotJson", variable: "TUNELAKE_CONFIG" }, { cause: error });
  }
  return {
    config: parseConfig(configJson, "TUNELAKE_CONFIG"),
    raw: new S3ObjectStore({ bucket: requireEnv("RAW_BUCKET") }),
    spotify: readSpotifyEnv(await spotifyEnvFromSecrets()),
    dataSource: "spotify",
    logger: createLambdaLogger("tunelake-extract"),
  };
}

/**
 * DuckDB's memory limit from the function's memory (stacks/settings.ts `transformMemoryMb`, 3008 MB by default):
 * 70%, leaving room for Node and the S3 SDK next to DuckDB; DuckDB spills the rest to /tmp.
 */
export function duckdbMemoryLimitMb(lambdaMemoryMb: number): number | undefined {
  return lambdaMemoryMb > 0 ? Math.floor(lambdaMemoryMb * 0.7) : undefined;
}

export async function transformDeps(): Promise<TransformDeps> {
  const memory = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "0");
  return {
    raw: new S3ObjectStore({ bucket: requireEnv("RAW_BUCKET") }),
    curated: new S3ObjectStore({ bucket: requireEnv("CURATED_BUCKET") }),
    // /tmp in Lambda (TMPDIR is unset there); the Lambda-bundle test points TMPDIR at a folder its user may write.
    workDir: path.join(os.tmpdir(), "tunelake"),
    memoryLimitMb: duckdbMemoryLimitMb(memory),
    logger: createLambdaLogger("tunelake-transform"),
  };
}
