import {
  PREMIUM_REQUIRED_MESSAGE,
  type SampleServer,
  sampleEnv,
  startSampleServer,
} from "@tunelake/sample-api/sample-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  SpotifyAuthError,
  SpotifyPremiumRequiredError,
  SpotifyRefreshTokenRevokedError,
  TERMINAL_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
} from "../../src/errors.ts";
import { createSpotifyClient, type SpotifyClientOptions } from "../../src/spotify/client.ts";
import { terminalSpotifyError } from "../../src/spotify/http-errors.ts";
import { buildDefinition } from "../../src/workflow/definition.ts";

const ARTIST = "4tZwfgrHOc3mvqYlEYSvVi";
const FAST: SpotifyClientOptions = { backoffBaseMs: 5, backoffMaxMs: 20, maxRetries: 3 };

let server: SampleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("terminal token errors", () => {
  it("names an expired or revoked refresh token, says the command that fixes it, and never asks again", async () => {
    // Prepare
    server = await startSampleServer({ faults: { refreshTokenRevoked: true } });
    const client = createSpotifyClient(sampleEnv(server, true), FAST);

    // Act
    const first = await client.get("/me/top/artists", { user: true }).catch((e: unknown) => e);
    const second = await client.get("/me/top/artists", { user: true }).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(SpotifyRefreshTokenRevokedError);
    expect((first as Error).name).toBe("SpotifyRefreshTokenRevokedError");
    expect((first as Error).message).toMatch(/invalid_grant: Refresh token revoked/);
    expect((first as Error).message).toContain("npx tunelake auth");
    expect((first as Error).message).toContain("SPOTIFY_REFRESH_TOKEN");
    expect((first as Error).message).not.toContain(server.refreshToken);
    expect(second).toBe(first);
    expect(server.stats().byEndpoint).toEqual({ "POST /api/token": 1 });
  });

  it("keeps a refresh token that never existed a plain SpotifyAuthError (invalid_grant without expired or revoked)", async () => {
    // Prepare
    server = await startSampleServer({ refreshToken: "the-right-one" });
    const client = createSpotifyClient({ ...sampleEnv(server, true), refreshToken: "a-wrong-one" }, FAST);

    // Act
    const error = await client.get("/me/top/artists", { user: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SpotifyAuthError);
    expect(error).not.toBeInstanceOf(SpotifyRefreshTokenRevokedError);
  });

  it("names a lapsed Premium subscription on the first 403 and stops every later call without a request", async () => {
    // Prepare
    server = await startSampleServer({ faults: { premiumLapsed: true } });
    const client = createSpotifyClient(sampleEnv(server), FAST);

    // Act
    const first = await client.get(`/artists/${ARTIST}`).catch((e: unknown) => e);
    const second = await client.get(`/albums/${ARTIST}`).catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(SpotifyPremiumRequiredError);
    expect((first as Error).name).toBe("SpotifyPremiumRequiredError");
    expect((first as Error).message).toMatch(/developer dashboard.*Premium.*npx tunelake (run|redrive)/s);
    expect(second).toBe(first);
    expect(server.stats().byEndpoint).toEqual({ "POST /api/token": 1, "GET /artists/{id}": 1 });
    expect(client.stats()).toMatchObject({ requests: 1, retries: 0 });
  });

  it("reads Spotify's Premium message on the token endpoint too, and nothing else as either error", () => {
    // Act
    const premium = JSON.stringify({ error: { status: 403, message: PREMIUM_REQUIRED_MESSAGE } });
    const other = JSON.stringify({ error: { status: 403, message: "Forbidden" } });

    // Assess
    expect(terminalSpotifyError(premium, { endpoint: "POST /api/token" })).toBeInstanceOf(SpotifyPremiumRequiredError);
    expect(terminalSpotifyError(other, { endpoint: "GET /artists/{id}" })).toBeUndefined();
    const revoked = JSON.stringify({ error: "invalid_grant", error_description: "Refresh token revoked" });
    expect(terminalSpotifyError(revoked, { endpoint: "POST /api/token" })).toBeUndefined();
    expect(terminalSpotifyError("not json", { endpoint: "POST /api/token", refreshGrant: true })).toBeUndefined();
  });

  it.each(["SpotifyRefreshTokenRevokedError", "SpotifyPremiumRequiredError"])(
    "%s is terminal: the state machine never retries it",
    (name) => {
      // Act
      const retried = JSON.stringify(buildDefinition()).match(/"ErrorEquals":\[[^\]]*\]/g) ?? [];

      // Assess
      expect(TERMINAL_ERROR_NAMES).toContain(name);
      expect(TRANSIENT_ERROR_NAMES).not.toContain(name);
      expect(retried.length).toBeGreaterThan(0);
      expect(retried.filter((list) => list.includes(`"${name}"`))).toEqual([]);
    },
  );
});
