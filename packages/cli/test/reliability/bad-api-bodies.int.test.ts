/**
 * Bad bodies from the API, through a rewriting proxy in front of the sample API (real HTTP): HTML instead of JSON,
 * truncated JSON, JSON that is not a page, pages far larger than asked, paging that loops or never ends, items of the
 * wrong shape and fields of the wrong type. Each is retried, counted as a reject, or fails with a clear error and a
 * notification; none hangs or leaves curated files for the date.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  CURATED_TABLES,
  manifestKey,
  type RawEntity,
  rawPrefix,
  rejectsPrefix,
  transformReportKey,
} from "@tunelake/core/lake";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  fingerprint,
  listFiles,
  outbox,
  redrivePipeline,
  rowCounts,
  runPipeline,
  startSample,
  suiteConfig,
  type TableFingerprint,
  tempHomes,
} from "./harness.ts";
import { editJson, type Rewrite, type RewritingProxy, startProxy } from "./proxy.ts";

const DATE = CLEAN_RUN_DATE;
const isSearch = (p: string) => p.startsWith("/v1/search");
const isPlaylist = (p: string) => /^\/v1\/playlists\/[0-9A-Za-z]{22}\?/.test(p);
const isPlaylistItems = (p: string) => /^\/v1\/playlists\/[0-9A-Za-z]{22}\/items/.test(p);

describe("bad API bodies", () => {
  let server: SampleServer;
  let proxy: RewritingProxy;
  let clean: TableFingerprint[];
  const { newHome, cleanupAll } = tempHomes();
  /** One run through the proxy with `rewrite`; one client retry so that a fault that never ends fails fast. */
  const runThrough = async (home: string, rewrite: Rewrite, maxRetries = 1) => {
    proxy.setRewrite(rewrite);
    const config = await suiteConfig({ maxRetries });
    try {
      return await runPipeline({ home, server, config, spotify: proxy.env, date: DATE });
    } finally {
      proxy.setRewrite(undefined);
    }
  };
  const curatedFiles = async (home: string) =>
    (await listFiles(path.join(home, "lake", "curated"))).filter((f) => f.includes(`dt=${DATE}`));

  beforeAll(async () => {
    server = await startSample();
    proxy = await startProxy(server);
    clean = (await cleanRun()).fingerprint;
  });
  afterAll(async () => {
    await proxy.close();
    await server.close();
    await cleanupAll();
  });

  it("retries an HTML error page served with status 200 and ends with the same tables as a clean run", async () => {
    // Prepare
    const home = await newHome("html");
    const html: Rewrite = ({ n }, res) =>
      n <= 3 ? { status: 200, headers: { "content-type": "text/html" }, body: "<html>Bad Gateway</html>" } : res;

    // Act
    const { record } = await runThrough(home, html);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("retries requests whose connection is reset without an answer and ends with the same tables", async () => {
    // Prepare
    const home = await newHome("reset");
    const reset: Rewrite = ({ n }, res) => (n <= 3 ? "reset" : res);

    // Act
    const { record } = await runThrough(home, reset, 6);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect((record.output as { extract: { retries: number } }).extract.retries).toBeGreaterThanOrEqual(3);
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("renews an access token revoked in the middle of the run (401) and ends with the same tables", async () => {
    // Prepare
    const home = await newHome("revoked");
    const revoke: Rewrite = ({ n }, res) => {
      if (n === 5) server.revokeTokens();
      return res;
    };

    // Act
    const { record } = await runThrough(home, revoke, 6);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect((record.output as { extract: { retries: number } }).extract.retries).toBeGreaterThanOrEqual(1);
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("fails with SpotifyServerError naming the endpoint when a body is always truncated, writes no curated file, and a redrive completes", async () => {
    // Prepare
    const home = await newHome("truncated");
    const truncated: Rewrite = ({ path: p }, res) =>
      isSearch(p) ? { ...res, body: res.body.slice(0, Math.floor(res.body.length / 2)) } : res;

    // Act
    const failed = await runThrough(home, truncated);
    const leftBehind = await curatedFiles(home);
    const notes = await outbox(home);
    const redriven = await redrivePipeline({ home, server, spotify: proxy.env, name: DATE });

    // Assess
    expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "SpotifyServerError" });
    expect(failed.record.cause).toMatch(/GET \/search .*malformed JSON body/);
    expect(leftBehind).toEqual([]);
    expect(notes[0]?.Message).toContain("malformed JSON body");
    expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
  });

  it("fails with a clear error when a page is valid JSON but not a paging object", async () => {
    // Prepare
    const home = await newHome("not-a-page");
    const notAPage: Rewrite = ({ path: p }, res) =>
      isSearch(p) ? { ...res, body: JSON.stringify({ albums: { items: "nope" } }) } : res;

    // Act
    const { record } = await runThrough(home, notAPage);

    // Assess
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "SpotifyServerError" });
    expect(record.cause).toMatch(/not a paging object on GET \/search/);
    expect(await curatedFiles(home)).toEqual([]);
  });

  it("fails fast with a clear error, instead of hanging, when a next link leads back to the same page", async () => {
    // Prepare: the playlist's embedded entries say there is more; the entries page links to itself.
    const home = await newHome("loop");
    const loop: Rewrite = ({ path: p, url }, res) => {
      if (isPlaylist(p)) {
        return editJson(res, (json) => {
          const page = json.items as Record<string, unknown>;
          page.next = `${proxy.origin}${url.pathname.replace(/\?.*/, "")}/items?offset=0&limit=50`;
        });
      }
      if (isPlaylistItems(p)) return editJson(res, (json) => ({ ...json, next: url.toString() }));
      return res;
    };

    // Act
    const started = Date.now();
    const { record } = await runThrough(home, loop);

    // Assess
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Extract", error: "SpotifyServerError" });
    expect(record.cause).toMatch(/paging loops: the next link .*\/items\?offset=0&limit=50 leads back/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("stops at the first empty page when next links never end (total says a billion), and completes", async () => {
    // Prepare
    const home = await newHome("endless");
    const endless: Rewrite = ({ path: p, url }, res) => {
      if (isPlaylist(p)) {
        return editJson(res, (json) => {
          const page = json.items as Record<string, unknown>;
          const offset = (page.items as unknown[]).length;
          page.total = 1_000_000_000;
          page.next = `${proxy.origin}${url.pathname}/items?offset=${offset}&limit=50`;
        });
      }
      if (isPlaylistItems(p)) {
        const offset = Number(url.searchParams.get("offset"));
        return editJson(res, (json) => {
          const next = new URL(url);
          next.searchParams.set("offset", String(offset + 50));
          return { ...json, total: 1_000_000_000, next: next.toString() };
        });
      }
      return res;
    };

    // Act
    const { record } = await runThrough(home, endless);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(rowCounts(await fingerprint(home, DATE))).toEqual(rowCounts(clean));
  });

  it("takes a page far larger than asked (2,000 items, a 5 MB body) without losing or duplicating objects", async () => {
    // Prepare: the search ignores its limit and pads the body.
    const home = await newHome("huge");
    const huge: Rewrite = ({ path: p }, res) =>
      isSearch(p)
        ? editJson(res, (json) => {
            const page = json.albums as { items: unknown[]; total: number; next: string | null };
            const items = Array.from({ length: 2000 }, (_, i) => page.items[i % page.items.length]);
            return { albums: { ...page, items, total: 2000, next: null }, padding: "x".repeat(5 * 1024 * 1024) };
          })
        : res;

    // Act
    const { record } = await runThrough(home, huge);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    const counts = rowCounts(await fingerprint(home, DATE));
    expect(counts.search_results).toBe(2000);
    expect({ ...counts, search_results: 0 }).toEqual({ ...rowCounts(clean), search_results: 0 });
  });

  it("counts schema-invalid items (the sample API's invalidItems) as rejects, with their reasons, and keeps the rest", async () => {
    // Prepare
    const home = await newHome("invalid-items");
    const broken = await startSample([], { faults: { invalidItems: true } });

    // Act
    const { record } = await runPipeline({ home, server: broken, date: DATE }).finally(() => broken.close());

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    const reported = (record.output as { extract: { rejects: number } }).extract.rejects;
    expect(reported).toBeGreaterThan(0);
    const raw = path.join(home, "lake", "raw");
    const manifest = JSON.parse(await readFile(path.join(raw, manifestKey(DATE)), "utf8")) as {
      rejects: { count: number };
    };
    expect(manifest.rejects.count).toBe(reported);
    const files = (await listFiles(raw)).filter((f) => f.startsWith(rejectsPrefix(DATE)) && !f.includes("transform-"));
    const lines = (
      await Promise.all(files.map(async (f) => gunzipSync(await readFile(path.join(raw, f))).toString("utf8")))
    )
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { _reason: string });
    expect(lines).toHaveLength(reported);
    expect(lines.every((l) => l._reason.length > 0)).toBe(true);
    const counts = rowCounts(await fingerprint(home, DATE));
    expect(Object.values(counts).filter((n) => n > 0)).toHaveLength(CURATED_TABLES.length);
  });

  /** Breaks the first album of a batch (`/albums?ids=`) or single (`/albums/{id}`) answer. */
  const firstAlbum =
    (edit: (album: Record<string, unknown>) => unknown): Rewrite =>
    ({ path: p }, res) => {
      if (p.startsWith("/v1/albums?")) {
        return editJson(res, (json) => {
          const albums = json.albums as Record<string, unknown>[];
          if (albums[0]) albums[0] = (edit(albums[0]) ?? albums[0]) as Record<string, unknown>;
        });
      }
      return res;
    };

  /** The raw objects of `entity` for the date, as stored (all parts). */
  const rawText = async (home: string, entity: RawEntity) => {
    const dir = path.join(home, "lake", "raw");
    const parts = (await listFiles(dir)).filter((f) => f.startsWith(rawPrefix(entity, DATE)));
    const texts = await Promise.all(parts.map(async (f) => gunzipSync(await readFile(path.join(dir, f))).toString()));
    return texts.join("");
  };

  it.each([
    [
      "a playlist whose followers.total and images have the wrong type",
      "playlists",
      ((req, res) =>
        isPlaylist(req.path)
          ? editJson(res, (json) => ({ ...json, followers: { total: "lots" }, images: "none" }))
          : res) as Rewrite,
      '"followers":{"total":"lots"}',
    ],
    [
      "an album whose genres are not a list",
      "albums",
      firstAlbum((album) => ({ ...album, genres: "rock" })),
      '"genres":"rock"',
    ],
  ] as const)(
    "keeps %s (validation by identity): stored in raw as sent, no reject, the same rows as a clean run",
    async (_label, entity, rewrite, marker) => {
      // Prepare
      const home = await newHome(`types-${entity}`);

      // Act
      const { record } = await runThrough(home, rewrite);

      // Assess
      expect(record.status, record.cause).toBe("SUCCEEDED");
      const raw = path.join(home, "lake", "raw");
      const manifest = JSON.parse(await readFile(path.join(raw, manifestKey(DATE)), "utf8")) as {
        rejects: { count: number; byEntity?: Record<string, number> };
      };
      expect(manifest.rejects.byEntity?.[entity] ?? 0).toBe(0);
      expect(await rawText(home, entity)).toContain(marker);
      expect(rowCounts(await fingerprint(home, DATE))).toEqual(rowCounts(clean));
    },
  );

  it("keeps an object of every kind with a non-key field of the wrong type, rejects only the play whose key (played_at) is unreadable, and the run completes", async () => {
    // Prepare: one broken object per endpoint, each with a different kind of wrong type.
    const home = await newHome("types-all");
    const first = (list: unknown, edit: Record<string, unknown>) => {
      const items = list as Record<string, unknown>[];
      if (items[0]) items[0] = { ...items[0], ...edit };
    };
    const everyKind: Rewrite = ({ path: p }, res) => {
      if (res.status !== 200) return res;
      if (p.startsWith("/v1/artists?")) return editJson(res, (j) => first(j.artists, { popularity: "high" }));
      if (p.startsWith("/v1/tracks?")) return editJson(res, (j) => first(j.tracks, { explicit: "yes" }));
      if (p.startsWith("/v1/albums?")) return editJson(res, (j) => first(j.albums, { total_tracks: "12" }));
      if (/^\/v1\/artists\/\w+\/albums/.test(p)) return editJson(res, (j) => first(j.items, { artists: "x" }));
      if (isPlaylist(p)) return editJson(res, (j) => ({ ...j, public: "yes" }));
      if (isSearch(p)) {
        return editJson(res, (j) => first((j.albums as { items: unknown }).items, { release_date_precision: 5 }));
      }
      if (p.startsWith("/v1/me/player/recently-played")) return editJson(res, (j) => first(j.items, { played_at: 1 }));
      if (p.startsWith("/v1/me/top/")) return editJson(res, (j) => first(j.items, { popularity: { x: 1 } }));
      return res;
    };

    // Act
    const { record } = await runThrough(home, everyKind);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    const manifest = JSON.parse(await readFile(path.join(home, "lake", "raw", manifestKey(DATE)), "utf8")) as {
      rejects: { byEntity: Record<string, number> };
    };
    expect(manifest.rejects.byEntity).toEqual({ recently_played: 1 });
    const counts = rowCounts(await fingerprint(home, DATE));
    // Every table keeps its rows, but for the rejected play (and the track, album and artist only it carried) and
    // the credits of the artist album whose `artists` is no list.
    const before = rowCounts(clean);
    const lost = Object.fromEntries(Object.entries(before).map(([t, n]) => [t, n - (counts[t] ?? 0)]));
    const atMost: Record<string, number> = { tracks: 1, albums: 1, artists: 1, track_artists: 5, album_artists: 5 };
    for (const [table, n] of Object.entries(lost)) {
      if (table === "plays") expect(n, table).toBe(1);
      else expect(n, table).toBeLessThanOrEqual(atMost[table] ?? 0);
      expect(n, table).toBeGreaterThanOrEqual(0);
    }
    expect(lost.album_artists).toBeGreaterThan(0);
  });

  it("keeps an album whose embedded track has wrong types: the album and track are kept, the fields NULL and counted as mistyped, and the quality gate passes", async () => {
    // Prepare: the album line keeps its embedded page as Spotify sent it.
    const home = await newHome("embedded-types");
    const rewrite = firstAlbum((album) => {
      const tracks = album.tracks as { items: Record<string, unknown>[] };
      tracks.items[0] = { ...tracks.items[0], duration_ms: "long", artists: "nobody" };
    });

    // Act
    const { record } = await runThrough(home, rewrite);

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(await rawText(home, "albums")).toContain('"duration_ms":"long"');
    const reports = await Promise.all(
      ["albums", "tracks"].map(
        async (entity) =>
          JSON.parse(await readFile(path.join(home, "lake", "curated", transformReportKey(DATE, entity)), "utf8")) as {
            rejects: number;
            mistyped: { entity: string; field: string; count: number }[];
          },
      ),
    );
    expect(reports.map((r) => r.rejects)).toEqual([0, 0]);
    // One per album answer the rewrite broke (the first album of each batch).
    const broken = (await rawText(home, "album_tracks")).split("\n").filter((l) => l.includes('"duration_ms":"long"'));
    expect(broken.length).toBeGreaterThan(0);
    expect(reports[1]?.mistyped).toEqual(
      expect.arrayContaining([
        { entity: "album_tracks", field: "duration_ms", count: broken.length },
        { entity: "album_tracks", field: "artists", count: broken.length },
      ]),
    );
    expect(rowCounts(await fingerprint(home, DATE)).tracks).toBe(rowCounts(clean).tracks);
    const written = await curatedFiles(home);
    expect(written.some((f) => f.startsWith(`albums/dt=${DATE}/`))).toBe(true);
  });
});
