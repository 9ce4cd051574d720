/**
 * Hostile input (README, "Hostile input"): each attack replayed in-process against the real code, with a tiny HTTP
 * server on 127.0.0.1 playing a hostile Spotify. Peak RSS is checked where memory is the point.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { requestsSpotifyCredentials } from "../src/config/env.ts";
import { parseConfig } from "../src/config/load.ts";
import {
  ConfigError,
  InputError,
  ManifestCorruptError,
  SpotifyAuthError,
  SpotifyRequestError,
  SpotifyResponseTooLargeError,
  TERMINAL_ERROR_NAMES,
} from "../src/errors.ts";
import { Collected } from "../src/extract/collected.ts";
import { MAX_NESTING_DEPTH, nestsDeeperThan } from "../src/extract/raw-line.ts";
import { runExtract } from "../src/extract/run-extract.ts";
import { assertRunDate, parseManifest, rawKey, rejectsKey, todayUtc } from "../src/lake.ts";
import { redactSecrets, rememberSecret } from "../src/redact.ts";
import { runAuthorizationCodeFlow } from "../src/spotify/auth-flow.ts";
import { createSpotifyClient } from "../src/spotify/client.ts";
import { FsObjectStore } from "../src/storage/fs-store.ts";
import { runTransform } from "../src/transform/run-transform.ts";
import { assertExecutionName } from "../src/workflow/run-names.ts";
import { config, DATE, FAST_CLIENT, FIXED_NOW, type Loose, readLines, tempStore } from "./extract/helpers.ts";

const MB = 1024 * 1024;
const SECRET = "hostile-test-client-secret-5d1e";
const ACCESS_TOKEN = "BQhostileAccessToken0123456789abcdef";
const REFRESH = "AQhostileRefreshToken0123456789abcdef";

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** A server on 127.0.0.1 whose `/api/token` hands out {@link ACCESS_TOKEN}; every other path goes to `route`. */
async function hostile(route: Route): Promise<{ url: string; server: Server; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? "");
    if (req.url?.endsWith("/api/token")) {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ access_token: ACCESS_TOKEN, token_type: "Bearer", expires_in: 3600 }));
      return;
    }
    void route(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, hits };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
async function serve(route: Route) {
  const h = await hostile(route);
  servers.push(h.server);
  return h;
}
const envFor = (url: string, refreshToken?: string) => ({
  clientId: "hostile-client-id",
  clientSecret: SECRET,
  refreshToken,
  apiBaseUrl: `${url}/v1`,
  accountsBaseUrl: url,
});

/** `total` bytes of zeros, produced as they are read (never held in memory). */
function zeros(total: number): Readable {
  let sent = 0;
  const chunk = Buffer.alloc(MB);
  return new Readable({
    read() {
      if (sent >= total) this.push(null);
      else {
        sent += chunk.length;
        this.push(chunk);
      }
    },
  });
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/**
 * The tests that measure peak RSS need a process of their own: test files share their workers, so a worker's peak
 * includes the files before it. security-rss.int.test.ts runs them through vitest in a fresh process, where
 * TUNELAKE_RSS_PROBE=1 and they run for real.
 */
const IN_FRESH_PROCESS = process.env.TUNELAKE_RSS_PROBE === "1";

describe("bounded API bodies", () => {
  it.runIf(IN_FRESH_PROCESS)(
    "stops reading a 250 MB gzip bomb at extract.maxResponseBytes, with a terminal error naming the URL (fresh process)",
    async () => {
      // Prepare
      const { url } = await serve(async (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        await pipeline(zeros(250 * MB), createGzip(), res).catch(() => undefined);
      });
      const client = createSpotifyClient(envFor(url), { ...FAST_CLIENT, maxRetries: 3 });

      // Act
      const act = client.get("/artists/4tZwfgrHOc3mvqYlEYSvVi");

      // Assess
      await expect(act).rejects.toBeInstanceOf(SpotifyResponseTooLargeError);
      await expect(act).rejects.toThrow(`GET ${url}/v1/artists/4tZwfgrHOc3mvqYlEYSvVi`);
      await expect(act).rejects.toThrow(/extract\.maxResponseBytes=16777216/);
      expect(TERMINAL_ERROR_NAMES).toContain("SpotifyResponseTooLargeError");
      expect(client.stats().retries).toBe(0);
      const peak = peakRssMb();
      process.stdout.write(`gzip bomb: peak RSS ${peak} MB\n`);
      expect(peak).toBeLessThan(512);
    },
  );

  it("refuses a plain body whose Content-Length is over the ceiling before reading it", async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(300 * MB) });
      res.write("{");
    });
    const client = createSpotifyClient(envFor(url), { ...FAST_CLIENT, maxResponseBytes: MB });

    // Act
    const act = client.get("/artists/4tZwfgrHOc3mvqYlEYSvVi");

    // Assess
    await expect(act).rejects.toThrow(/larger than extract\.maxResponseBytes=1048576/);
  });

  it.each(["constructor", "__proto__", "toString"])(
    "reads a body whose Content-Encoding is %s, a name no decoder has, as it came",
    async (encoding) => {
      // Prepare
      const { url } = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding });
        res.end('{"id":"4tZwfgrHOc3mvqYlEYSvVi"}');
      });
      const client = createSpotifyClient(envFor(url), FAST_CLIENT);

      // Act
      const body = await client.get("/artists/4tZwfgrHOc3mvqYlEYSvVi");

      // Assess
      expect(body).toEqual({ id: "4tZwfgrHOc3mvqYlEYSvVi" });
      expect(client.stats().retries).toBe(0);
    },
  );

  it.each([
    ["Infinity (1e400) as the longest Retry-After", '{"maxRetryAfterSeconds": 1e400}'],
    ["a Retry-After wait of a year", '{"maxRetryAfterSeconds": 31536000}'],
    ["a sleep longer than a Lambda lives", '{"sleepRetryAfterSeconds": 1e400}'],
    ["a request timeout of a day", '{"requestTimeoutSeconds": 86400}'],
    ["a checkpoint that is never written", '{"checkpointEveryRequests": 1e400}'],
    ["a concurrency of 1e400", '{"concurrency": 1e400}'],
    ["1e400 retries", '{"maxRetries": 1e400}'],
    ["a response ceiling of 1 GiB", '{"maxResponseBytes": 1073741824}'],
  ])("refuses a config with %s", (_what, extract) => {
    // Act: the config file's text, as JSON.parse reads it (1e400 becomes Infinity).
    const act = () => parseConfig(JSON.parse(`{"sources": {}, "extract": ${extract}}`));

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(`extract.${Object.keys(JSON.parse(extract.replace("1e400", "1")))[0]}`);
  });
});

describe("objects that cannot be stored as a raw line", () => {
  it("turns 5,000-deep nesting, a 20 MB name and an object that cannot be serialized into counted rejects", async () => {
    // Prepare
    const deep: Loose = { leaf: true };
    let node = deep;
    for (let i = 0; i < 5_000; i++) {
      node.child = { level: i };
      node = node.child;
    }
    const out = new Collected();
    const cyclic: Loose = { id: "cyclic" };
    cyclic.self = cyclic;
    const provenance = { _fetched_at: "2026-11-21T06:00:00.000Z", _source: "artist:x" };

    // Act
    out.add("artists", { id: "deep", type: "artist", extra: deep }, provenance);
    out.add("artists", { id: "huge", type: "artist", name: "a".repeat(20 * MB) }, provenance);
    out.add("artists", cyclic, provenance);
    out.add("artists", { id: "bigint", type: "artist", plays: 10n }, provenance);
    out.add("artists", { id: "fine", type: "artist", name: "ok" }, provenance);

    // Assess
    expect(out.raw).toHaveLength(1);
    expect(out.rejects.map((r) => r.reason)).toEqual([
      `nested deeper than ${MAX_NESTING_DEPTH} levels`,
      expect.stringMatching(/^larger than 4194304 characters as one raw line/),
      // A cycle is endless nesting: caught by the depth limit before JSON.stringify would throw on it.
      `nested deeper than ${MAX_NESTING_DEPTH} levels`,
      expect.stringMatching(/^cannot be serialized as JSON \(TypeError/),
    ]);
    // The reject lines themselves stay small and serializable: they keep what identifies the item.
    for (const reject of out.rejects) expect(JSON.stringify(reject).length).toBeLessThan(1_000);
    expect(out.rejects[1]?.item).toMatchObject({ id: "huge", type: "artist" });
    expect(nestsDeeperThan(deep, 10_000)).toBe(false);
  });

  it.runIf(IN_FRESH_PROCESS)(
    "extracts from a Spotify that sends 5,000-deep nesting and a 20 MB name: rejects counted, the rest kept (fresh process)",
    async () => {
      // Prepare
      const [deepId, hugeId, fineId] = ["0000000000000000000001", "0000000000000000000002", "0000000000000000000003"];
      const deepJson = `{"id":"${deepId}","type":"artist","name":"deep","x":${"[".repeat(5_000)}${"]".repeat(5_000)}}`;
      const { url } = await serve((req, res) => {
        const id = req.url?.split("/").pop()?.split("?")[0];
        const body =
          id === deepId
            ? deepJson
            : JSON.stringify({ id, type: "artist", name: id === hugeId ? "n".repeat(20 * MB) : "fine" });
        res.writeHead(200, { "content-type": "application/json" }).end(body);
      });
      const { store, cleanup } = await tempStore();

      try {
        // Act
        await runExtract({
          config: config(
            { artists: [deepId, hugeId, fineId] },
            { accessProfile: "development", maxAlbumsPerArtist: 0, maxResponseBytes: 64 * MB },
          ),
          date: DATE,
          store,
          spotify: envFor(url),
          now: FIXED_NOW,
          client: FAST_CLIENT,
        });

        // Assess
        const raw = await readLines(store, `artists/dt=${DATE}/`);
        const rejects = await readLines(store, `_rejects/dt=${DATE}/`);
        expect(raw.map((line) => line.id)).toEqual([fineId]);
        expect(rejects.map((r) => [r.item.id, r._reason.slice(0, 30)])).toEqual(
          expect.arrayContaining([
            [deepId, `nested deeper than ${MAX_NESTING_DEPTH} levels`],
            [hugeId, "larger than 4194304 characters"],
          ]),
        );
        const manifest = JSON.parse((await store.get(`_manifests/dt=${DATE}/manifest.json`))?.toString() ?? "{}");
        expect(manifest.rejects.count).toBe(2);
        expect(manifest.rejects.byEntity).toEqual({ artists: 2 });
        const peak = peakRssMb();
        process.stdout.write(`deep nesting + 20 MB name: peak RSS ${peak} MB\n`);
        expect(peak).toBeLessThan(512);
      } finally {
        await cleanup();
      }
    },
  );
});

describe("a huge string field reaching the transform", () => {
  it.runIf(IN_FRESH_PROCESS)(
    "sets aside a raw line with a 20 MB name as a counted reject, keeps the other rows, and stays under 512 MB (fresh process)",
    async () => {
      // Prepare: a raw file written by hand (not by Extract, which rejects such a line), one sound artist beside it.
      const dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-huge-string-"));
      const raw = new FsObjectStore(path.join(dir, "raw"));
      const curated = new FsObjectStore(path.join(dir, "curated"));
      const artist = (id: string, name: string) =>
        JSON.stringify({ id, type: "artist", name, _fetched_at: "2026-11-21T06:00:00Z", _source: `artist:${id}` });
      await raw.put(
        rawKey("artists", DATE, 0),
        gzipSync(
          `${artist("0000000000000000000003", "fine")}\n${artist("0000000000000000000002", "n".repeat(20 * MB))}\n`,
        ),
      );

      try {
        // Act
        const result = await runTransform({
          entity: "artists",
          date: DATE,
          raw,
          curated,
          workDir: path.join(dir, "w"),
        });

        // Assess
        expect(result.tables.find((t) => t.table === "artists")).toMatchObject({ rows: 1, rejects: 1 });
        const rejects = gunzipSync((await raw.get(rejectsKey(DATE, "transform-raw-artists"))) ?? Buffer.alloc(0))
          .toString("utf8")
          .trim()
          .split("\n")
          .map((line) => JSON.parse(line));
        expect(rejects).toEqual([
          expect.objectContaining({
            _file: rawKey("artists", DATE, 0),
            _line: 2,
            _reason: expect.stringMatching(/^line longer than 12582912 bytes/),
          }),
        ]);
        // The reject keeps the start of the line, not all 20 MB of it.
        expect(JSON.stringify(rejects).length).toBeLessThan(100_000);
        const peak = peakRssMb();
        process.stdout.write(`transform of a 20 MB name: peak RSS ${peak} MB\n`);
        expect(peak).toBeLessThan(512);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});

describe("credentials never leave for another origin, nor reach a message", () => {
  it("refuses a 307 from the accounts service and never re-sends the refresh token elsewhere", async () => {
    // Prepare
    const elsewhere = await serve((_req, res) => {
      res.writeHead(200).end("{}");
    });
    const accounts = await serve((_req, res) => {
      res.writeHead(200).end("{}");
    });
    accounts.server.removeAllListeners("request");
    accounts.server.on("request", (req, res) => {
      accounts.hits.push(req.url ?? "");
      res.writeHead(307, { location: `${elsewhere.url}/api/token` }).end();
    });
    const client = createSpotifyClient(envFor(accounts.url, REFRESH), { ...FAST_CLIENT, maxRetries: 3 });

    // Act
    const act = client.get("/me/top/tracks", { user: true });

    // Assess
    await expect(act).rejects.toBeInstanceOf(SpotifyAuthError);
    await expect(act).rejects.toThrow(`answered 307, a redirect to ${elsewhere.url}`);
    expect(accounts.hits).toEqual(["/api/token"]);
    expect(elsewhere.hits).toEqual([]);
  });

  it("refuses a 307 on the authorization-code exchange (tunelake auth)", async () => {
    // Prepare
    const elsewhere = await serve((_req, res) => {
      res.writeHead(200).end("{}");
    });
    const accounts = await serve((_req, res) => {
      res.writeHead(200).end("{}");
    });
    accounts.server.removeAllListeners("request");
    accounts.server.on("request", (_req, res) => {
      res.writeHead(307, { location: `${elsewhere.url}/api/token` }).end();
    });

    // Act
    const act = runAuthorizationCodeFlow({
      env: { clientId: "id", clientSecret: SECRET, accountsBaseUrl: accounts.url },
      port: 0,
      print: () => undefined,
      // Plays the browser: Spotify's redirect back with a code and the state it was given.
      openUrl: async (authorize) => {
        const params = new URL(authorize).searchParams;
        await fetch(`${params.get("redirect_uri")}?code=the-code&state=${params.get("state")}`);
      },
    });

    // Assess
    await expect(act).rejects.toThrow(/answered 307, a redirect to .*never follows a redirect/);
    expect(elsewhere.hits).toEqual([]);
  });

  it("redacts a token Spotify echoes in an error body", async () => {
    // Prepare
    const { url } = await serve((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" }).end(
        JSON.stringify({
          error: {
            status: 400,
            message: `bad request with Bearer ${ACCESS_TOKEN}, refresh_token=${REFRESH} and ${SECRET}`,
          },
        }),
      );
    });
    const client = createSpotifyClient(envFor(url, REFRESH), FAST_CLIENT);

    // Act
    const error = await client.get("/artists/4tZwfgrHOc3mvqYlEYSvVi").catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(SpotifyRequestError);
    const message = (error as Error).message;
    expect(message).toContain("bad request with Bearer ***");
    for (const secret of [ACCESS_TOKEN, REFRESH, SECRET]) expect(message).not.toContain(secret);
  });

  it.each([
    ["an Authorization header", "authorization: Bearer abc.def-ghi_jkl", "authorization: Bearer ***"],
    ["a bare Authorization value", "Authorization=abcdef123", "Authorization=***"],
    ["a Basic header", "sent Basic aG9zdGlsZTpzZWNyZXQ=", "sent Basic ***"],
    ["a JSON token field", '{"access_token":"tok-123456"}', '{"access_token":"***"}'],
    ["a form body", "grant_type=refresh_token&refresh_token=AQxyz123", "grant_type=refresh_token&refresh_token=***"],
    ["a client secret field", "client_secret: s3cr3t-value", "client_secret: ***"],
    ["a learned access token alone", `echo ${ACCESS_TOKEN}x`, "echo ***x"],
  ])("redacts %s", (_what, text, expected) => {
    // Prepare
    rememberSecret(ACCESS_TOKEN);

    // Act / Assess
    expect(redactSecrets(text, [], {})).toBe(expected);
  });

  it("redacts the environment's secret and refresh token", () => {
    expect(
      redactSecrets(`x ${SECRET} y ${REFRESH}`, [], { SPOTIFY_CLIENT_SECRET: SECRET, SPOTIFY_REFRESH_TOKEN: REFRESH }),
    ).toBe("x *** y ***");
  });
});

describe("names, dates and environment", () => {
  it.each(["../../x", "..", ".locks", "a/b", "a\\b", "", "x".repeat(81), "2026-11-21\n", "*", "a b"])(
    "refuses the execution name %j as bad input",
    (name) => {
      expect(() => assertExecutionName(name)).toThrow(InputError);
      expect(() => assertExecutionName(name)).toThrow(/is not an execution name/);
    },
  );

  it.each(["2026-11-21", "2026-11-21-2", "3f0c9a4e-7d1b-4c55-9d8e-0b1c2d3e4f50", "backfill_2026.11"])(
    "accepts the execution name %s",
    (name) => {
      expect(assertExecutionName(name)).toBe(name);
    },
  );

  it("refuses run dates after tomorrow (9999-12-31 too), and accepts today and tomorrow", () => {
    // Prepare
    const now = new Date("2026-12-06T23:00:00Z");

    // Act / Assess
    expect(assertRunDate("2026-12-06", now)).toBe("2026-12-06");
    expect(assertRunDate("2026-12-07", now)).toBe("2026-12-07");
    for (const date of ["2026-12-08", "9999-12-31", "2027-01-01"]) {
      expect(() => assertRunDate(date, now)).toThrow(InputError);
      expect(() => assertRunDate(date, now)).toThrow(/after tomorrow \(2026-12-07, UTC\)/);
    }
    expect(new InputError({ reason: "runDate", date: "x" }).badInput).toBe(true);
    expect(() => assertRunDate("9999-12-31")).toThrow(/after tomorrow/);
    expect(assertRunDate(todayUtc())).toBe(todayUtc());
  });

  it.each([
    [
      { SPOTIFY_REFRESH_TOKEN: "AQsomething" },
      /SPOTIFY_REFRESH_TOKEN is set but SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not/,
    ],
    [{ SPOTIFY_API_BASE_URL: "https://proxy.example/v1" }, /SPOTIFY_API_BASE_URL is set but SPOTIFY_CLIENT_ID/],
    [
      { SPOTIFY_ACCOUNTS_BASE_URL: "https://a.example", SPOTIFY_MARKET: "SE" },
      /SPOTIFY_ACCOUNTS_BASE_URL, SPOTIFY_MARKET are set but/,
    ],
  ])("never falls back to sample data silently when %j is set alone", (env, message) => {
    expect(() => requestsSpotifyCredentials(env)).toThrow(ConfigError);
    expect(() => requestsSpotifyCredentials(env)).toThrow(message);
    expect(() => requestsSpotifyCredentials(env)).not.toThrow(/AQsomething/);
  });

  it("names a manifest that is not JSON", () => {
    // Act
    const act = () =>
      parseManifest(Buffer.from('{"keys": ['), {
        location: "/home/me/.tunelake/lake/raw",
        key: "_manifests/dt=2026-11-21/manifest.json",
        date: "2026-11-21",
      });

    // Assess
    expect(act).toThrow(ManifestCorruptError);
    expect(act).toThrow("/home/me/.tunelake/lake/raw/_manifests/dt=2026-11-21/manifest.json is not valid JSON");
    expect(new ManifestCorruptError({ file: "f", date: "d", problem: "p" }).badInput).toBe(true);
  });
});
