import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, readDeploySettings } from "../settings.ts";

describe("deploy settings", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(readDeploySettings({})).toEqual(DEFAULT_SETTINGS);
  });

  it("reads each setting from its environment variable", () => {
    const settings = readDeploySettings({
      TUNELAKE_SCHEDULE: "rate(12 hours)",
      AWS_REGION: "eu-west-1",
      TUNELAKE_ALERT_EMAIL: "ops@example.com",
      TUNELAKE_SOURCES_FILE: "config/prod.json",
      TUNELAKE_EXTRACT_MEMORY_MB: "512",
      TUNELAKE_TRANSFORM_MEMORY_MB: "8192",
      TUNELAKE_LAMBDA_MEMORY_QUOTA_MB: "10240",
      TUNELAKE_MISSED_RUN_HOURS: "50",
      TUNELAKE_LAKE_FORMATION: "true",
    });
    expect(settings).toEqual({
      schedule: "rate(12 hours)",
      region: "eu-west-1",
      alertEmail: "ops@example.com",
      sourcesFile: "config/prod.json",
      extractMemoryMb: 512,
      transformMemoryMb: 8192,
      lambdaMemoryQuotaMb: 10240,
      missedRunHours: 50,
      lakeFormation: true,
    });
  });

  it("keeps every default within a new account's 3008 MB Lambda memory quota", () => {
    expect(DEFAULT_SETTINGS.lambdaMemoryQuotaMb).toBe(3008);
    expect(DEFAULT_SETTINGS.transformMemoryMb).toBeLessThanOrEqual(3008);
    expect(DEFAULT_SETTINGS.extractMemoryMb).toBeLessThanOrEqual(3008);
  });

  it.each([
    [{ TUNELAKE_SCHEDULE: "0 6 * * *" }, /TUNELAKE_SCHEDULE="0 6 \* \* \*" is not an EventBridge schedule expression/],
    [
      { TUNELAKE_TRANSFORM_MEMORY_MB: "4GB" },
      /TUNELAKE_TRANSFORM_MEMORY_MB="4GB" must be an integer from 128 to 10240/,
    ],
    [
      { TUNELAKE_TRANSFORM_MEMORY_MB: "4096" },
      /TUNELAKE_TRANSFORM_MEMORY_MB=4096 exceeds the account's Lambda memory quota of 3008 MB .*TUNELAKE_LAMBDA_MEMORY_QUOTA_MB/,
    ],
    [{ TUNELAKE_MISSED_RUN_HOURS: "200" }, /TUNELAKE_MISSED_RUN_HOURS="200" must be an integer from 1 to 168/],
  ])("stops the deploy on a malformed value %j", (env, message) => {
    expect(() => readDeploySettings(env)).toThrow(message);
  });
});
