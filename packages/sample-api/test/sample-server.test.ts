import { afterEach, describe, expect, it } from "vitest";
import type { Loose } from "../../core/test/extract/helpers.ts";
import {
  SAMPLE_CLIENT_ID,
  SAMPLE_CLIENT_SECRET,
  type SampleServer,
  type SampleServerOptions,
  startSampleServer,
} from "../src/sample-server.ts";

const ID = "0TnOYISbd1XYRBk9myaseg";
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";

let servers: SampleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function start(options: SampleServerOptions = {}) {
  const server = await startSampleServer(options);
  servers.push(server);
  const basic = Buffer.from(`${SAMPLE_CLIENT_ID}:${SAMPLE_CLIENT_SECRET}`).toString("base64");
  const token = async (body: Record<string, string>) => {
    const res = await fetch(`${server.accountsBaseUrl}/api/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(body),
    });
    return (await res.json()) as { access_token: string };
  };
  const app = (await token({ grant_type: "client_credentials" })).access_token;
  const user = (await token({ grant_type: "refresh_token", refresh_token: server.refreshToken })).access_token;
  const get = async (path: string, asUser = false) => {
    const res = await fetch(`${server.apiBaseUrl}${path}`, {
      headers: { authorization: `Bearer ${asUser ? user : app}` },
    });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Loose };
  };
  return { server, get };
}

describe("startSampleServer", () => {
  it("answers the same object for an id on every server and marks it as sample data", async () => {
    // Prepare
    const a = await start();
    const b = await start();
    // Act
    const first = await a.get(`/albums/${ID}`);
    const second = await b.get(`/albums/${ID}`);
    // Assess
    expect(first.json).toEqual(
      JSON.parse(JSON.stringify(second.json).replaceAll(b.server.apiBaseUrl, a.server.apiBaseUrl)),
    );
    expect(first.json.name).toMatch(/^Sample Album /);
    expect(first.headers.get("x-tunelake-sample")).toBe("true");
  });

  it.each([
    [`/tracks?ids=${ID}`, 403],
    [`/albums?ids=${ID}`, 403],
    [`/artists?ids=${ID}`, 403],
    ["/browse/new-releases", 403],
    ["/search?q=tag:new&type=album&limit=11", 400],
    [`/artists/${ID}/albums?limit=11`, 400],
    ["/playlists/37i9dQZEVXbMDoHDwVN2tF", 404],
    [`/playlists/${PLAYLIST}/items`, 403],
  ])("development refuses %s with %i and Spotify's error body", async (path, status) => {
    // Prepare
    const { get } = await start({ profile: "development" });
    // Act
    const response = await get(path);
    // Assess
    expect(response.status).toBe(status);
    expect(response.json.error).toMatchObject({ status });
  });

  it.each([
    [`/tracks?ids=${ID}`, "tracks"],
    [`/albums?ids=${ID}`, "albums"],
    [`/artists?ids=${ID}`, "artists"],
  ])("extended serves the batch endpoint %s", async (path, key) => {
    // Prepare
    const { get } = await start({ profile: "extended" });
    // Act
    const response = await get(path);
    // Assess
    expect(response.status).toBe(200);
    expect(response.json[key]).toHaveLength(1);
  });

  it("leaves removed fields out in development and keeps them in extended", async () => {
    // Prepare
    const dev = await start({ profile: "development" });
    const ext = await start({ profile: "extended" });
    // Act
    const [devArtist, extArtist] = [await dev.get(`/artists/${ID}`), await ext.get(`/artists/${ID}`)];
    const [devTrack, extTrack] = [await dev.get(`/tracks/${ID}`), await ext.get(`/tracks/${ID}`)];
    // Assess
    expect(devArtist.json).not.toHaveProperty("popularity");
    expect(devArtist.json).not.toHaveProperty("followers");
    expect(devArtist.json).not.toHaveProperty("genres");
    expect(extArtist.json).toHaveProperty("popularity");
    expect(devTrack.json).not.toHaveProperty("popularity");
    expect(extTrack.json).toHaveProperty("popularity");
    expect(devTrack.json.external_ids.isrc).toMatch(/^QZSAM/);
  });

  it.each([
    ["2025", "tracks", "track"],
    ["2026", "items", "item"],
  ] as const)("shape %s puts playlist entries in `%s` with `%s`", async (shape, pageKey, entryKey) => {
    // Prepare
    const { get } = await start({ profile: "extended", shape });
    // Act
    const playlist = await get(`/playlists/${PLAYLIST}`);
    const entries = await get(`/playlists/${PLAYLIST}/${pageKey}?limit=50&offset=0`);
    // Assess
    expect(playlist.json[pageKey].items.length).toBeGreaterThan(0);
    expect(entries.json.items[0]).toHaveProperty(entryKey);
    expect(entries.json.next ?? "").toMatch(entries.json.total > 50 ? /offset=50/ : /^$/);
  });

  it("puts a removed track, an episode and a local file in every long playlist", async () => {
    // Prepare
    const { get } = await start({ profile: "extended" });
    // Act
    const entries = (await get(`/playlists/${PLAYLIST}/items?limit=50&offset=0`)).json.items as Array<Loose>;
    // Assess
    expect(entries.some((e) => e.item === null)).toBe(true);
    expect(entries.some((e) => e.item?.type === "episode")).toBe(true);
    expect(entries.some((e) => e.is_local === true && e.item?.id === null)).toBe(true);
  });

  it("mixes release date precisions across an artist's albums", async () => {
    // Prepare
    const { server } = await start();
    // Act
    const precisions = new Set(
      Array.from(
        { length: 40 },
        (_, i) => server.data.albumFacts(`${String(i).padStart(2, "0")}${ID.slice(2)}`).precision,
      ),
    );
    // Assess
    expect([...precisions].sort()).toEqual(["day", "month", "year"]);
  });

  it("pages with absolute next links that carry the query", async () => {
    // Prepare
    const { server, get } = await start({ profile: "extended" });
    // Act
    const page = await get("/search?q=tag:new&type=album&limit=10");
    // Assess
    expect(page.json.albums.next).toMatch(new RegExp(`^${server.apiBaseUrl}/search\\?`));
    expect(new URL(page.json.albums.next).searchParams.get("offset")).toBe("10");
    expect(new URL(page.json.albums.next).searchParams.get("q")).toBe("tag:new");
  });

  it("serves user endpoints only to a user token", async () => {
    // Prepare
    const { get } = await start();
    // Act
    const asApp = await get("/me/top/artists?time_range=short_term");
    const asUser = await get("/me/top/artists?time_range=short_term&limit=50", true);
    // Assess
    expect(asApp.status).toBe(403);
    expect(asUser.json.items).toHaveLength(50);
  });

  it("counts requests by endpoint and resets the counts", async () => {
    // Prepare
    const { server, get } = await start();
    // Act
    await get(`/artists/${ID}`);
    const before = server.stats();
    server.resetStats();
    // Assess
    expect(before.byEndpoint).toMatchObject({ "POST /api/token": 2, "GET /artists/{id}": 1 });
    expect(server.stats()).toMatchObject({ requests: 0, byEndpoint: {}, notModified: 0 });
  });

  it("breaks page items when invalidItems is on", async () => {
    // Prepare
    const { server, get } = await start({ profile: "extended" });
    server.setFaults({ invalidItems: true });
    // Act
    const page = await get("/search?q=x&type=track&limit=10");
    // Assess
    expect(page.json.tracks.items[3].id).toBe(12345);
    expect(typeof page.json.tracks.items[2].id).toBe("string");
  });

  it("refuses a localhost redirect URI and a bad client secret", async () => {
    // Prepare
    const { server } = await start();
    const authorize = `${server.accountsBaseUrl}/authorize?client_id=${SAMPLE_CLIENT_ID}&response_type=code&redirect_uri=${encodeURIComponent("http://localhost:8888/callback")}`;
    // Act
    const redirect = await fetch(authorize, { redirect: "manual" });
    const token = await fetch(`${server.accountsBaseUrl}/api/token`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${SAMPLE_CLIENT_ID}:nope`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials" }),
    });
    // Assess
    expect(redirect.status).toBe(400);
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("recently played cursors", () => {
  it("answers only plays after `after` (ms, exclusive) or before `before`, newest first, with their cursors", async () => {
    // Prepare
    const { get } = await start({ profile: "extended" });
    const all = (await get("/me/player/recently-played?limit=50", true)).json;
    const times = (all.items as { played_at: string }[]).map((p) => Date.parse(p.played_at));
    const pivot = times[10] as number;

    // Act
    const after = (await get(`/me/player/recently-played?limit=50&after=${pivot}`, true)).json;
    const before = (await get(`/me/player/recently-played?limit=5&before=${pivot}`, true)).json;
    const none = (await get(`/me/player/recently-played?limit=50&after=${Math.max(...times)}`, true)).json;
    const both = await get(`/me/player/recently-played?after=1&before=2`, true);

    // Assess
    expect(times).toHaveLength(50);
    expect((after.items as { played_at: string }[]).map((p) => Date.parse(p.played_at))).toEqual(times.slice(0, 10));
    expect(after.cursors).toEqual({ after: String(times[0]), before: String(times[9]) });
    expect((before.items as { played_at: string }[]).map((p) => Date.parse(p.played_at))).toEqual(times.slice(11, 16));
    expect(none.items).toEqual([]);
    expect(both.status).toBe(400);
  });
});
