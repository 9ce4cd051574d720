import { describe, expect, it } from "vitest";
import { refreshTokenAge } from "../../src/spotify/refresh-token.ts";

describe("refreshTokenAge", () => {
  const authorized = new Date("2026-01-31T12:00:00Z");

  it("expires six calendar months after authorization", () => {
    expect(refreshTokenAge(authorized, new Date("2026-02-01T00:00:00Z")).expiresAt.toISOString()).toBe(
      // 31 July exists: the same day and time, six months on.
      "2026-07-31T12:00:00.000Z",
    );
  });

  it("is valid until 30 days before expiry, expiring in those 30 days, and expired from the expiry on", () => {
    expect(refreshTokenAge(authorized, new Date("2026-06-30T12:00:00Z"))).toMatchObject({
      state: "valid",
      daysLeft: 31,
    });
    expect(refreshTokenAge(authorized, new Date("2026-07-02T12:00:00Z"))).toMatchObject({
      state: "expiring",
      daysLeft: 29,
    });
    expect(refreshTokenAge(authorized, new Date("2026-07-31T12:00:00Z")).state).toBe("expired");
  });
});
