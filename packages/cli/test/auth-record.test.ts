import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { authRecordFile, readRefreshTokenAge, recordRefreshToken, refreshTokenWarning } from "../src/auth-record.ts";

describe("the home's record of the refresh token tunelake auth issued", () => {
  const homes: string[] = [];
  const newHome = async () => {
    const home = await mkdtemp(path.join(tmpdir(), "tunelake-auth-record-"));
    homes.push(home);
    return home;
  };
  afterAll(() => Promise.all(homes.map((h) => rm(h, { recursive: true, force: true }))));

  it("ages the token it recorded, and knows nothing of another token or a broken record", async () => {
    const home = await newHome();
    await recordRefreshToken(home, "token-a", new Date("2026-01-31T12:00:00Z"));

    const age = await readRefreshTokenAge(home, "token-a", new Date("2026-07-10T12:00:00Z"));
    expect(age).toMatchObject({ state: "expiring", daysLeft: 21 });
    expect(age?.expiresAt.toISOString()).toBe("2026-07-31T12:00:00.000Z");
    expect(await readRefreshTokenAge(home, "token-b")).toBeUndefined();

    await writeFile(authRecordFile(home), "{not json");
    expect(await readRefreshTokenAge(home, "token-a")).toBeUndefined();
    expect(await readRefreshTokenAge(await newHome(), "token-a")).toBeUndefined();
  });

  it("warns only when the token is expiring or expired, never quoting it", () => {
    const expiresAt = new Date("2026-07-31T12:00:00Z");
    expect(refreshTokenWarning({ expiresAt, daysLeft: 60, state: "valid" })).toBeUndefined();
    expect(refreshTokenWarning({ expiresAt, daysLeft: 5, state: "expiring" })).toBe(
      "SPOTIFY_REFRESH_TOKEN expires on 2026-07-31 (in 5 days): get a new one with npx tunelake auth before then",
    );
    expect(refreshTokenWarning({ expiresAt, daysLeft: -2, state: "expired" })).toMatch(
      /^SPOTIFY_REFRESH_TOKEN expired on 2026-07-31 .*npx tunelake auth$/,
    );
  });
});
