import { quotaBucketOf } from "@tunelake/core/spotify/quota-buckets";
import { afterEach, describe, expect, it } from "vitest";
import type { Loose } from "../../core/test/extract/helpers.ts";
import { SAMPLE_USER_ID } from "../src/sample-data.ts";
import {
  PREMIUM_REQUIRED_MESSAGE,
  SAMPLE_CLIENT_ID,
  SAMPLE_CLIENT_SECRET,
  type SampleServer,
  type SampleServerOptions,
  startSampleServer,
} from "../src/sample-server.ts";
import { dateOfWorldDay } from "../src/sample-world.ts";

const ID = "0TnOYISbd1XYRBk9myaseg";
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";

let servers: SampleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const basic = Buffer.from(`${SAMPLE_CLIENT_ID}:${SAMPLE_CLIENT_SECRET}`).toString("base64");

async function token(server: SampleServer, body: Record<string, string>) {
  const res = await fetch(`${server.accountsBaseUrl}/api/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(body),
  });
  return { status: res.status, json: (await res.json()) as Loose };
}

async function start(options: SampleServerOptions = {}) {
  const server = await startSampleServer(options);
  servers.push(server);
  const app = (await token(server, { grant_type: "client_credentials" })).json.access_token as string;
  const user = (await token(server, { grant_type: "refresh_token", refresh_token: server.refreshToken })).json
    .access_token as string;
  const get = async (path: string, headers: Record<string, string> = {}, asUser = false) => {
    const res = await fetch(`${server.apiBaseUrl}${path}`, {
      headers: { authorization: `Bearer ${asUser ? user : app}`, ...headers },
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : undefined) as Loose };
  };
  return { server, get };
}

describe("the sample server's changing world", () => {
  it("answers for the world date it is moved to without a restart", async () => {
    // Prepare
    const { server, get } = await start({ profile: "extended", worldDate: dateOfWorldDay(0) });
    const later = await startSampleServer({ profile: "extended", worldDate: dateOfWorldDay(60) });
    servers.push(later);
    const path = `/playlists/${PLAYLIST}/items?limit=50&offset=0`;

    // Act
    const before = await get(path);
    server.setWorldDate(dateOfWorldDay(60));
    const after = await get(path);

    // Assess: the same answer as a server started on that date (links aside).
    const expected = JSON.stringify(
      later.data.playlistEntriesPage(PLAYLIST, new URL(`${later.apiBaseUrl}${path}`), 0, 50),
    ).replaceAll(later.apiBaseUrl, server.apiBaseUrl);
    expect(after.status).toBe(200);
    expect(after.text === expected).toBe(true);
    expect(after.text).not.toBe(before.text);
  });

  it("honours fields on GET /playlists/{id} and refuses a malformed one with 400", async () => {
    // Prepare
    const { get } = await start({ profile: "extended" });

    // Act
    const meta = await get(`/playlists/${PLAYLIST}?fields=snapshot_id,name,owner(id),public,collaborative`);
    const bad = await get(`/playlists/${PLAYLIST}?fields=owner(id`);

    // Assess
    expect(Object.keys(meta.json).sort()).toEqual(["collaborative", "name", "owner", "public", "snapshot_id"]);
    expect(Object.keys(meta.json.owner)).toEqual(["id"]);
    expect(bad.status).toBe(400);
    expect(bad.json.error.status).toBe(400);
  });

  it("sends an ETag on playlist endpoints and answers 304 with no body when If-None-Match matches", async () => {
    // Prepare
    const { server, get } = await start({ profile: "extended", worldDate: dateOfWorldDay(0) });
    const first = await get(`/playlists/${PLAYLIST}`);
    const etag = first.headers.get("etag") ?? "";

    // Act
    const same = await get(`/playlists/${PLAYLIST}`, { "if-none-match": etag });
    const other = await get(`/playlists/${PLAYLIST}`, { "if-none-match": '"something-else"' });
    const album = await get(`/albums/${ID}`);

    // Assess
    expect(etag).toMatch(/^".+"$/);
    expect(same.status).toBe(304);
    expect(same.text).toBe("");
    expect(other.status).toBe(200);
    expect(other.headers.get("etag")).toBe(etag);
    expect(album.headers.get("etag")).toBeNull();
    expect(server.stats().notModified).toBe(1);
  });

  it("changes a playlist's ETag once an edit changes its answer", async () => {
    // Prepare: the first day after day 0 this playlist is edited.
    const { server, get } = await start({ profile: "extended", worldDate: dateOfWorldDay(0) });
    const snapshot = (day: number) => {
      server.setWorldDate(dateOfWorldDay(day));
      return server.data.playlist(PLAYLIST, true).snapshot_id;
    };
    const first = snapshot(0);
    let day = 1;
    while (snapshot(day) === first) day++;
    server.setWorldDate(dateOfWorldDay(0));
    const etag = (await get(`/playlists/${PLAYLIST}?fields=snapshot_id`)).headers.get("etag") ?? "";

    // Act
    server.setWorldDate(dateOfWorldDay(day));
    const edited = await get(`/playlists/${PLAYLIST}?fields=snapshot_id`, { "if-none-match": etag });

    // Assess
    expect(edited.status).toBe(200);
    expect(edited.json.snapshot_id).not.toBe(first);
  });

  it.each([
    ["development", "/search?q=tag:new&type=album&limit=11"],
    ["development", `/artists/${ID}/albums?limit=11`],
    ["extended", "/search?q=tag:new&type=album&limit=51"],
    ["extended", `/artists/${ID}/albums?limit=51`],
    ["extended", `/playlists/${PLAYLIST}/items?limit=51`],
  ] as const)("%s answers 400 Invalid limit for %s", async (profile, path) => {
    // Prepare
    const { get } = await start({ profile });
    // Act
    const response = await get(path);
    // Assess
    expect(response.status).toBe(400);
    expect(response.json.error.message).toBe("Invalid limit");
  });

  it("leaves the item count out of a playlist the caller does not own, and keeps it on one it owns", async () => {
    // Prepare
    const { server, get } = await start({ profile: "development" });
    const owned = Array.from({ length: 20 }, (_, i) => `${PLAYLIST.slice(0, 20)}${String(i).padStart(2, "0")}`).find(
      (id) => server.data.playlistOwner(id) === SAMPLE_USER_ID,
    );

    // Act
    const asApp = await get(`/playlists/${PLAYLIST}`);
    const own = await get(`/playlists/${owned}`, {}, true);

    // Assess
    expect(asApp.json.items).toEqual({ href: expect.stringContaining("/items") });
    expect(own.json.items.total).toBeGreaterThan(0);
  });

  it("puts both items and tracks in one playlist response during the rollout, entries saying track", async () => {
    // Prepare
    const { get } = await start({ profile: "extended", faults: { bothPlaylistKeys: true } });
    // Act
    const playlist = await get(`/playlists/${PLAYLIST}`);
    const entries = await get(`/playlists/${PLAYLIST}/items`);
    // Assess
    expect(playlist.json.items).toEqual(playlist.json.tracks);
    expect(playlist.json.items.items[0]).toHaveProperty("track");
    expect(entries.json.items[0]).toHaveProperty("track");
    expect(entries.json.items[0]).not.toHaveProperty("item");
  });
});

describe("the sample server's per-bucket quota", () => {
  it("answers 429 QUOTA_EXCEEDED with a long Retry-After once a bucket's budget is spent, the others still answer", async () => {
    // Prepare
    const { server, get } = await start({ quota: { budgets: { "artist-albums": 2 } } });
    const albums = `/artists/${ID}/albums?limit=10`;

    // Act
    const answered = [await get(albums), await get(albums)];
    const exhausted = await get(albums);
    const other = await get(`/artists/${ID}`);
    const user = await get("/me/top/artists", {}, true);

    // Assess
    expect(answered.map((r) => r.status)).toEqual([200, 200]);
    expect(exhausted.status).toBe(429);
    expect(exhausted.json).toEqual({
      error: { status: 429, message: "API rate limit exceeded", reason: "QUOTA_EXCEEDED" },
    });
    expect(Number(exhausted.headers.get("retry-after"))).toBeGreaterThan(80_000);
    expect(other.status).toBe(200);
    expect(user.status).toBe(200);
    const stats = server.stats();
    expect(stats.byBucket["artist-albums"]).toBe(3);
    expect(stats.byBucket[quotaBucketOf("GET /artists/{id}")]).toBe(1);
    expect(stats.byBucket.user).toBe(1);
  });

  it("counts each world date's budget on its own, and setQuota changes the budgets", async () => {
    // Prepare
    const { server, get } = await start({ worldDate: dateOfWorldDay(0), quota: { budgets: { catalog: 1 } } });
    await get(`/artists/${ID}`);
    const spent = await get(`/artists/${ID}`);

    // Act
    server.setWorldDate(dateOfWorldDay(1));
    const nextDay = await get(`/artists/${ID}`);
    server.setQuota({ budgets: { catalog: 0 }, retryAfterSeconds: 7 });
    const none = await get(`/artists/${ID}`);

    // Assess
    expect(spent.status).toBe(429);
    expect(nextDay.status).toBe(200);
    expect(none.status).toBe(429);
    expect(none.headers.get("retry-after")).toBe("7");
  });
});

describe("the sample server's terminal token faults", () => {
  it("answers invalid_grant for the refresh token once it is revoked; client credentials still work", async () => {
    // Prepare
    const { server } = await start({ faults: { refreshTokenRevoked: true } });
    // Act
    const refresh = await token(server, { grant_type: "refresh_token", refresh_token: server.refreshToken });
    const app = await token(server, { grant_type: "client_credentials" });
    // Assess
    expect(refresh.status).toBe(400);
    expect(refresh.json.error).toBe("invalid_grant");
    expect(app.status).toBe(200);
  });

  it("answers every API call 403 with Spotify's message once the owner's Premium lapsed", async () => {
    // Prepare
    const { get } = await start({ faults: { premiumLapsed: true } });
    // Act
    const response = await get(`/artists/${ID}`);
    // Assess
    expect(response.status).toBe(403);
    expect(response.json.error.message).toBe(PREMIUM_REQUIRED_MESSAGE);
  });
});
