import { afterEach, describe, expect, it } from "vitest";
import { SampleData } from "../src/sample-data.ts";
import { driftAction, driftResponse } from "../src/sample-drift.ts";
import { type SampleServer, startSampleServer } from "../src/sample-server.ts";

const data = new SampleData({ profile: "extended", shape: "2026", apiBaseUrl: "http://127.0.0.1/v1" });
const ARTIST = "0TnOYISbd1XYRBk9myaseg";
const PLAYLIST = "3cEYpjA9oz9GiPac4AsH4n";

let servers: SampleServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

describe("sample API drift", () => {
  it("is reproducible for a seed, and differs between seeds", () => {
    const album = data.album(ARTIST);
    expect(driftResponse(album, 7)).toEqual(driftResponse(album, 7));
    expect(driftResponse(album, 7)).not.toEqual(driftResponse(album, 8));
    expect(album).toEqual(data.album(ARTIST));
  });

  it.each([
    ["artist", () => data.artist(ARTIST)],
    ["album", () => data.album(ARTIST)],
    ["track", () => data.track(ARTIST)],
    ["playlist", () => data.playlist(PLAYLIST, true)],
  ])("keeps the identity of a %s, changes some of its other fields and adds unknown ones", (_kind, make) => {
    // Prepare
    const original = make() as Record<string, unknown>;
    let changed = 0;
    for (let seed = 1; seed <= 20; seed++) {
      // Act
      const drifted = driftResponse(original, seed) as Record<string, unknown>;
      // Assess
      expect([drifted.id, drifted.type, drifted.uri]).toEqual([original.id, original.type, original.uri]);
      expect(drifted.drift_added_field).toBeDefined();
      const fields = Object.keys(original).filter((f) => !["id", "type", "uri", "href", "tracks", "items"].includes(f));
      changed += fields.filter((f) => JSON.stringify(drifted[f]) !== JSON.stringify(original[f])).length;
    }
    expect(changed).toBeGreaterThan(0);
  });

  it("decides per field: a field gone from every object of a kind, others per object", () => {
    const actions = ["name", "popularity", "genres", "label", "total_tracks", "images"].map((field) =>
      Array.from({ length: 50 }, (_, i) => driftAction(3, "album", `id${i}`, field)),
    );
    expect(actions.some((list) => list.every((a) => a === "remove"))).toBe(true);
    expect(actions.flat()).toEqual(expect.arrayContaining(["keep", "remove", "null", "mistype"]));
  });

  it.each(["2025", "2026"] as const)("drifts the %s shape's responses when the fault is on", async (shape) => {
    // Prepare
    const plain = await startSampleServer({ profile: "extended", shape });
    const drifting = await startSampleServer({ profile: "extended", shape, faults: { drift: { seed: 5 } } });
    servers.push(plain, drifting);
    const get = async (server: SampleServer, path: string) => {
      const token = await fetch(`${server.accountsBaseUrl}/api/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      });
      const { access_token } = (await token.json()) as { access_token: string };
      const res = await fetch(`${server.apiBaseUrl}${path}`, { headers: { authorization: `Bearer ${access_token}` } });
      return res.json() as Promise<Record<string, unknown>>;
    };
    // Act
    // Links name the server: the plain answer as the drifting server would link it.
    const before = JSON.parse(
      JSON.stringify(await get(plain, `/playlists/${PLAYLIST}`)).replaceAll(plain.apiBaseUrl, drifting.apiBaseUrl),
    ) as Record<string, unknown>;
    const after = await get(drifting, `/playlists/${PLAYLIST}`);
    // Assess
    expect(after).toEqual(driftResponse(before, 5));
    expect(after).not.toEqual(before);
    expect(after.id).toBe(PLAYLIST);
  });
});
