/**
 * What each handler needs from outside (stores, Spotify, SDK clients, config, logger), resolved once per cold start: by
 * lambda-deps.ts in Lambda, by @tunelake/local's handlers on a laptop. A module of its own so that neither side
 * imports the other.
 */
import type { SFNClient } from "@aws-sdk/client-sfn";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SpotifyEnv } from "@tunelake/core/config/env";
import type { Config } from "@tunelake/core/config/schema";
import type { Logger } from "@tunelake/core/logger";
import type { ObjectStore } from "@tunelake/core/storage/object-store";

export interface ExtractDeps {
  config: Config;
  raw: ObjectStore;
  spotify: SpotifyEnv;
  dataSource: "spotify" | "sample";
  logger: Logger;
}

export interface TransformDeps {
  raw: ObjectStore;
  curated: ObjectStore;
  /** Scratch space for DuckDB (home, temp files, downloads): /tmp in Lambda. */
  workDir: string;
  memoryLimitMb?: number;
  threads?: number;
  logger: Logger;
}

export interface NotifierDeps {
  /** Only `send` is used: tests pass clients that answer at that seam. */
  sfn: Pick<SFNClient, "send">;
  sns: Pick<SNSClient, "send">;
  /** The failure topic (FAILURE_TOPIC_ARN). */
  topicArn: string;
  /** The stage, for the CLI commands the message names (TUNELAKE_STAGE). */
  stage: string;
  logger: Logger;
  /**
   * When the stage's user refresh token was set (its SSM parameter's last change), for the stages whose config asks
   * for user sources; undefined when none is set. Absent: the stage needs no user token.
   */
  refreshTokenSetAt?: () => Promise<Date | undefined>;
  /** The clock (tests move it). */
  now?: () => Date;
}
