/**
 * Deploy-time settings of a stage, in one place with their defaults (docs/deploy.md "Settings"). Each is read from the
 * environment when `sst deploy` (or the offline synth) runs, so a change takes a deploy; the Spotify secrets are not
 * here (`sst secrets set`, no deploy needed).
 */

import { ConfigError } from "../packages/core/src/errors.ts";

export interface DeploySettings {
  /** EventBridge schedule expression of the daily run (UTC). */
  schedule: string;
  /** AWS region of the stage. */
  region: string;
  /** E-mail subscribed to the failure topic (none: subscribe later in the SNS console). */
  alertEmail: string | undefined;
  /** Sources config baked into the Extract function, relative to the repository root. */
  sourcesFile: string;
  /** Memory of the Extract and Transform functions, in MB (Transform's is DuckDB's working set). */
  extractMemoryMb: number;
  transformMemoryMb: number;
  /**
   * The account's Lambda memory quota in MB. New accounts get 3008 MB until AWS raises it on request (docs/deploy.md
   * "Lambda memory"); a function asking more fails to create (CREATE_FAILED), so the settings are checked against it.
   */
  lambdaMemoryQuotaMb: number;
  /** The missed-run alarm fires when no execution succeeded for this many hours. */
  missedRunHours: number;
  /** Grant Lake Formation permissions, for accounts whose Data Catalog it governs (docs/deploy.md). */
  lakeFormation: boolean;
}

export const DEFAULT_SETTINGS: Readonly<DeploySettings> = {
  schedule: "cron(0 6 * * ? *)",
  region: "us-east-1",
  alertEmail: undefined,
  sourcesFile: "tunelake.config.json",
  extractMemoryMb: 1024,
  transformMemoryMb: 3008,
  lambdaMemoryQuotaMb: 3008,
  missedRunHours: 26,
  lakeFormation: false,
};

/** The environment variable of each setting. */
export const SETTING_VARIABLES: Readonly<Record<keyof DeploySettings, string>> = {
  schedule: "TUNELAKE_SCHEDULE",
  region: "AWS_REGION",
  alertEmail: "TUNELAKE_ALERT_EMAIL",
  sourcesFile: "TUNELAKE_SOURCES_FILE",
  extractMemoryMb: "TUNELAKE_EXTRACT_MEMORY_MB",
  transformMemoryMb: "TUNELAKE_TRANSFORM_MEMORY_MB",
  lambdaMemoryQuotaMb: "TUNELAKE_LAMBDA_MEMORY_QUOTA_MB",
  missedRunHours: "TUNELAKE_MISSED_RUN_HOURS",
  lakeFormation: "TUNELAKE_LAKE_FORMATION",
};

function integer(env: NodeJS.ProcessEnv, key: keyof DeploySettings, min: number, max: number): number {
  const name = SETTING_VARIABLES[key];
  const raw = env[name]?.trim();
  if (!raw) return DEFAULT_SETTINGS[key] as number;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError({ reason: "settingRange", variable: name, value: String(raw), min, max });
  }
  return value;
}

/** Reads the settings from `env`, with the defaults for what is unset; a malformed value stops the deploy. */
export function readDeploySettings(env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const schedule = env[SETTING_VARIABLES.schedule]?.trim() || DEFAULT_SETTINGS.schedule;
  if (!/^(cron|rate)\(.+\)$/.test(schedule)) {
    throw new ConfigError({
      reason: "schedule",
      variable: SETTING_VARIABLES.schedule,
      value: schedule,
      example: DEFAULT_SETTINGS.schedule,
    });
  }
  const lambdaMemoryQuotaMb = integer(env, "lambdaMemoryQuotaMb", 128, 10240);
  const memory = (key: "extractMemoryMb" | "transformMemoryMb"): number => {
    const value = integer(env, key, 128, 10240);
    if (value > lambdaMemoryQuotaMb) {
      throw new ConfigError({
        reason: "memoryQuota",
        variable: SETTING_VARIABLES[key],
        valueMb: value,
        quotaMb: lambdaMemoryQuotaMb,
        quotaVariable: SETTING_VARIABLES.lambdaMemoryQuotaMb,
      });
    }
    return value;
  };
  return {
    schedule,
    region: env[SETTING_VARIABLES.region]?.trim() || DEFAULT_SETTINGS.region,
    alertEmail: env[SETTING_VARIABLES.alertEmail]?.trim() || undefined,
    sourcesFile: env[SETTING_VARIABLES.sourcesFile]?.trim() || DEFAULT_SETTINGS.sourcesFile,
    extractMemoryMb: memory("extractMemoryMb"),
    transformMemoryMb: memory("transformMemoryMb"),
    lambdaMemoryQuotaMb,
    // CloudWatch evaluates at most 7 days of hourly periods.
    missedRunHours: integer(env, "missedRunHours", 1, 168),
    lakeFormation: env[SETTING_VARIABLES.lakeFormation]?.trim() === "true",
  };
}
