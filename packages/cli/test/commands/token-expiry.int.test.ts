/**
 * The run summary says when the refresh token `tunelake auth` issued is about to expire (Spotify expires it 6 months
 * after authorization), from what the home recorded, and says nothing while it is valid.
 */
import { describe, expect, it } from "vitest";
import { recordRefreshToken } from "../../src/auth-record.ts";
import { tunelake } from "../helpers.ts";
import { sampleSuite } from "../reliability/harness.ts";

const DATE = "2026-11-21";
const DAY_MS = 86_400_000;

describe("the refresh token's expiry in the run summary", () => {
  const sample = sampleSuite();

  const runWithToken = async (label: string, issuedDaysAgo: number | undefined) => {
    const home = await sample.newHome(label);
    const server = sample.server;
    if (issuedDaysAgo !== undefined) {
      await recordRefreshToken(home, server.refreshToken, new Date(Date.now() - issuedDaysAgo * DAY_MS));
    }
    return tunelake(["--home", home, "run", "--date", DATE], {
      SPOTIFY_CLIENT_ID: server.clientId,
      SPOTIFY_CLIENT_SECRET: server.clientSecret,
      SPOTIFY_REFRESH_TOKEN: server.refreshToken,
      SPOTIFY_API_BASE_URL: server.apiBaseUrl,
      SPOTIFY_ACCOUNTS_BASE_URL: server.accountsBaseUrl,
    });
  };

  it("warns under the summary when the token expires within 30 days, with the command that renews it", async () => {
    const result = await runWithToken("token-expiring", 170);

    expect(result.code, result.stderr).toBe(0);
    // As printed, wrapped to the terminal: read as one text.
    const text = result.stdout.replace(/\n\s+/g, " ");
    expect(text).toMatch(
      /SPOTIFY_REFRESH_TOKEN expires on \d{4}-\d\d-\d\d \(in \d+ days\): get a new one with npx tunelake auth before then/,
    );
    expect(result.stdout).not.toContain(sample.server.refreshToken);
    // The warning comes before the status line, which stays last.
    expect(result.stdout.trimEnd().split("\n").at(-1)).toMatch(/^SUCCEEDED/);
  });

  it("says nothing about a token issued recently, or one this home did not issue", async () => {
    for (const [label, days] of [
      ["token-fresh", 10],
      ["token-unknown", undefined],
    ] as const) {
      const result = await runWithToken(label, days);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toContain("SPOTIFY_REFRESH_TOKEN");
    }
  });
});
