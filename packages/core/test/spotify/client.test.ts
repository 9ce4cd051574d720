import {
  type SampleServer,
  type SampleServerOptions,
  sampleEnv,
  startSampleServer,
} from "@tunelake/sample-api/sample-server";
import { afterEach, describe, expect, it } from "vitest";
import {
  SpotifyAuthError,
  SpotifyQuotaExceededError,
  SpotifyRequestError,
  SpotifyServerError,
} from "../../src/errors.ts";
import { createSpotifyClient, endpointOf, type SpotifyClientOptions } from "../../src/spotify/client.ts";
import { followPages } from "../../src/spotify/paging.ts";

const ARTIST = "4tZwfgrHOc3mvqYlEYSvVi";
const FAST: SpotifyClientOptions = { backoffBaseMs: 5, backoffMaxMs: 20, maxRetries: 3 };

let server: SampleServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: SampleServerOptions = {}, client: SpotifyClientOptions = FAST, user = false) {
  server = await startSampleServer(options);
  return { server, client: createSpotifyClient(sampleEnv(server, user), client) };
}

describe("createSpotifyClient", () => {
  it("gets a client-credentials token once and reuses it", async () => {
    // Prepare
    const { server, client } = await setup();
    // Act
    const first = (await client.get(`/artists/${ARTIST}`)) as { id: string; name: string };
    await client.get(`/artists/${ARTIST}/albums?limit=5`);
    // Assess
    expect(first.id).toBe(ARTIST);
    expect(first.name).toMatch(/^Sample /);
    expect(client.stats()).toMatchObject({ requests: 2, retries: 0, tokenRequests: 1 });
    expect(client.stats().byEndpoint).toEqual({ "GET /artists/{id}": 1, "GET /artists/{id}/albums": 1 });
    expect(server.stats().byEndpoint["POST /api/token"]).toBe(1);
  });

  it("follows next links until the last page", async () => {
    // Prepare
    const { server, client } = await setup();
    const expected = server.data.artistAlbumIds(ARTIST, ["album", "single"]);
    // Act
    const ids: unknown[] = [];
    for await (const page of followPages(client, {
      url: `/artists/${ARTIST}/albums?include_groups=album,single&limit=2`,
    })) {
      ids.push(...page.items.map((item) => (item as { id: string }).id));
    }
    // Assess
    expect(ids).toEqual(expected);
    expect(client.stats().requests).toBe(Math.max(1, Math.ceil(expected.length / 2)));
  });

  it("renews an expired token before using it", async () => {
    // Prepare
    const { client } = await setup({ expiresInSeconds: 1 });
    await client.get(`/artists/${ARTIST}`);
    // Act
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.get(`/artists/${ARTIST}`);
    // Assess
    expect(client.stats()).toMatchObject({ requests: 2, tokenRequests: 2 });
  });

  it("gets a new token once when Spotify answers 401", async () => {
    // Prepare
    const { server, client } = await setup();
    await client.get(`/artists/${ARTIST}`);
    server.revokeTokens();
    // Act
    const artist = (await client.get(`/artists/${ARTIST}`)) as { id: string };
    // Assess
    expect(artist.id).toBe(ARTIST);
    expect(client.stats()).toMatchObject({ requests: 3, tokenRequests: 2, retries: 1 });
  });

  it.each([
    ["429 with Retry-After", { rateLimit: { count: 2, retryAfterSeconds: 0 } }],
    ["5xx", { serverError: { count: 2 } }],
    ["malformed JSON", { malformed: { count: 2 } }],
  ])("retries after %s and then succeeds", async (_name, faults) => {
    // Prepare
    const { client } = await setup({ faults });
    // Act
    const artist = (await client.get(`/artists/${ARTIST}`)) as { id: string };
    // Assess
    expect(artist.id).toBe(ARTIST);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2 });
  });

  it("retries a request that times out", async () => {
    // Prepare
    const { client } = await setup(
      { faults: { slow: { ms: 400, count: 1 } } },
      { ...FAST, requestTimeoutSeconds: 0.1 },
    );
    // Act
    const artist = (await client.get(`/artists/${ARTIST}`)) as { id: string };
    // Assess
    expect(artist.id).toBe(ARTIST);
    expect(client.stats().retries).toBe(1);
  });

  it("waits as long as Retry-After says", async () => {
    // Prepare
    const { client } = await setup({ faults: { rateLimit: { count: 1, retryAfterSeconds: 1 } } });
    const started = Date.now();
    // Act
    await client.get(`/artists/${ARTIST}`);
    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("gives up on 5xx after maxRetries with SpotifyServerError", async () => {
    // Prepare
    const { client } = await setup({ faults: { serverError: { count: 100, status: 502 } } });
    // Act
    const act = client.get(`/artists/${ARTIST}`);
    // Assess
    await expect(act).rejects.toThrow(SpotifyServerError);
    await expect(act).rejects.toThrow(/run again later/);
    expect(client.stats().requests).toBe(4);
  });

  it("stops at once on QUOTA_EXCEEDED and says when to retry", async () => {
    // Prepare
    const now = new Date("2026-11-21T10:00:00Z");
    const { client } = await setup({ faults: { quota: true } }, { ...FAST, now: () => now });
    // Act
    const error = await client.get(`/artists/${ARTIST}`).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SpotifyQuotaExceededError);
    expect((error as Error).name).toBe("SpotifyQuotaExceededError");
    expect((error as Error).message).toContain("QUOTA_EXCEEDED");
    expect((error as Error).message).toContain("Retry after 2026-11-22T10:00:00.000Z");
    expect((error as SpotifyQuotaExceededError).retryAt?.toISOString()).toBe("2026-11-22T10:00:00.000Z");
    expect(client.stats().requests).toBe(1);
  });

  it("fails later calls at once after QUOTA_EXCEEDED, without asking Spotify again", async () => {
    // Prepare
    const { server, client } = await setup({ faults: { quota: true } });
    await client.get(`/artists/${ARTIST}`).catch(() => undefined);
    server.setFaults({});
    // Act
    const act = client.get(`/artists/${ARTIST}`);
    // Assess
    await expect(act).rejects.toThrow(SpotifyQuotaExceededError);
    expect(client.stats().requests).toBe(1);
  });

  it("stops when Retry-After is above the ceiling", async () => {
    // Prepare
    const { client } = await setup(
      { faults: { rateLimit: { count: 1, retryAfterSeconds: 600 } } },
      { ...FAST, maxRetryAfterSeconds: 120 },
    );
    // Act
    const act = client.get(`/artists/${ARTIST}`);
    // Assess
    await expect(act).rejects.toThrow(SpotifyQuotaExceededError);
    await expect(act).rejects.toThrow(/maxRetryAfterSeconds=120/);
  });

  it("refuses wrong credentials with SpotifyAuthError and never shows the secret", async () => {
    // Prepare
    server = await startSampleServer();
    const secret = "wrong-secret-value-123";
    const client = createSpotifyClient({ ...sampleEnv(server), clientSecret: secret }, FAST);
    // Act
    const error = await client.get(`/artists/${ARTIST}`).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SpotifyAuthError);
    expect((error as Error).message).toMatch(/SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain(secret);
  });

  it("needs a refresh token for user endpoints and uses it when set", async () => {
    // Prepare
    const { server, client } = await setup();
    const userClient = createSpotifyClient(sampleEnv(server, true), FAST);
    // Act
    const withoutToken = await client.get("/me/top/tracks", { user: true }).catch((e: unknown) => e);
    const recent = (await userClient.get("/me/player/recently-played?limit=50", { user: true })) as {
      items: unknown[];
    };
    // Assess
    expect(withoutToken).toBeInstanceOf(SpotifyAuthError);
    expect((withoutToken as Error).message).toMatch(/tunelake auth/);
    expect(recent.items).toHaveLength(50);
  });

  it("maps a refused request to SpotifyRequestError with its status", async () => {
    // Prepare
    const { client } = await setup({ profile: "development" });
    // Act
    const error = await client.get(`/tracks?ids=${ARTIST}`).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SpotifyRequestError);
    expect((error as SpotifyRequestError).status).toBe(403);
    expect((error as Error).message).toContain("GET /tracks");
  });

  it("never sends the token to a link outside the API origin", async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const act = client.get("http://example.invalid/v1/artists");
    // Assess
    await expect(act).rejects.toThrow(/outside/);
    expect(client.stats().requests).toBe(0);
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    // Prepare
    const { server, client } = await setup({ latencyMs: 50 }, { ...FAST, concurrency: 2 });
    await client.get(`/artists/${ARTIST}`);
    server.resetStats();
    const started = Date.now();
    // Act
    await Promise.all(Array.from({ length: 6 }, () => client.get(`/artists/${ARTIST}`)));
    // Assess: 6 requests, 2 at a time, 50 ms each: at least 3 rounds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(server.stats().requests).toBe(6);
  });
});

describe("endpointOf", () => {
  it.each([
    ["http://h/v1/artists/4tZwfgrHOc3mvqYlEYSvVi/albums?limit=2", "GET /artists/{id}/albums"],
    ["http://h/v1/tracks?ids=a,b", "GET /tracks"],
    ["http://h/v1/me/top/tracks", "GET /me/top/tracks"],
  ])("names %s as %s", (url, expected) => {
    expect(endpointOf("http://h/v1", url)).toBe(expected);
  });
});
