import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasSpotifyCredentials, readSpotifyEnv, requestsSpotifyCredentials } from "../../src/config/env.ts";
import { configJsonSchema } from "../../src/config/json-schema.ts";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { DEFAULT_FRESHNESS_TOLERANCE_DAYS } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";
import { redactSecrets } from "../../src/redact.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const ARTIST = "4tZwfgrHOc3mvqYlEYSvVi";

describe("parseConfig", () => {
  it("fills defaults for omitted sources and options", () => {
    // Act
    const config = parseConfig({ sources: { artists: [ARTIST] } });

    // Assess
    expect(config.sources).toMatchObject({ artists: [ARTIST], albums: [], tracks: [], playlists: [], searches: [] });
    expect(config.extract).toMatchObject({ accessProfile: "auto", concurrency: 8, maxRetryAfterSeconds: 120 });
    expect(config.validate).toEqual({ freshnessToleranceDays: DEFAULT_FRESHNESS_TOLERANCE_DAYS });
  });

  it.each([
    ["an unknown top-level key", { sources: {}, source: {} }, "source"],
    ["an unknown source", { sources: { artist: [ARTIST] } }, "sources"],
    [
      "a malformed artist id",
      { sources: { artists: ["not-an-id"] } },
      'sources.artists[0]: "not-an-id" is not a Spotify id',
    ],
    ["a spotify URI instead of an id", { sources: { tracks: [`spotify:track:${ARTIST}`] } }, "sources.tracks[0]"],
    ["an empty search query", { sources: { searches: [{ query: " ", type: "album" }] } }, "sources.searches[0].query"],
    ["an unknown search type", { sources: { searches: [{ query: "x", type: "song" }] } }, "sources.searches[0].type"],
    ["an unknown access profile", { sources: {}, extract: { accessProfile: "premium" } }, "extract.accessProfile"],
    ["zero concurrency", { sources: {}, extract: { concurrency: 0 } }, "extract.concurrency"],
    [
      "a freshness tolerance of zero days",
      { sources: {}, validate: { freshnessToleranceDays: 0 } },
      "validate.freshnessToleranceDays: must be at least 1 day",
    ],
    [
      "a freshness tolerance above ten years",
      { sources: {}, validate: { freshnessToleranceDays: 4000 } },
      "validate.freshnessToleranceDays: must be at most 3660 days",
    ],
    [
      "a fractional freshness tolerance",
      { sources: {}, validate: { freshnessToleranceDays: 1.5 } },
      "validate.freshnessToleranceDays: must be a whole number of days",
    ],
    ["no sources at all", {}, "sources"],
    ["a non-object", [], "(root)"],
  ])("rejects %s with a ConfigError naming the entry", (_case, input, expected) => {
    // Act
    const act = () => parseConfig(input);

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(expected);
  });

  it("reports every problem at once", () => {
    // Act
    const error = (() => {
      try {
        parseConfig({ sources: { artists: ["x"], albums: ["y"] } });
      } catch (e) {
        return e as ConfigError;
      }
    })();

    // Assess
    expect(error?.issues).toHaveLength(2);
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "tunelake-config-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("loads the repository's default config", async () => {
    // Act
    const config = await loadConfig(path.join(repoRoot, "tunelake.config.json"));

    // Assess
    expect(config.sources.artists.length).toBeGreaterThan(0);
  });

  it.each([
    ["a missing file", null, "Cannot read config file"],
    ["invalid JSON", "{ sources: ", "is not valid JSON"],
    ["a truncated file", '{"sources": {"artists": ["4tZwfgrHOc3mvqYlEYSvVi"', "is not valid JSON"],
  ])("fails clearly on %s", async (_case, content, expected) => {
    // Prepare
    const file = path.join(dir, `${Math.random()}.json`);
    if (content !== null) await writeFile(file, content);

    // Act + Assess
    await expect(loadConfig(file)).rejects.toThrow(expected);
    await expect(loadConfig(file)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("readSpotifyEnv", () => {
  it("requires both client id and secret, and says where to get them", () => {
    expect(() => readSpotifyEnv({ SPOTIFY_CLIENT_ID: "abc" })).toThrow(/SPOTIFY_CLIENT_SECRET/);
    expect(hasSpotifyCredentials({ SPOTIFY_CLIENT_ID: "abc" })).toBe(false);
  });

  it.each([
    [{ SPOTIFY_CLIENT_ID: "abc" }, /SPOTIFY_CLIENT_ID is set but SPOTIFY_CLIENT_SECRET is not/],
    [{ SPOTIFY_CLIENT_SECRET: "abc" }, /SPOTIFY_CLIENT_SECRET is set but SPOTIFY_CLIENT_ID is not/],
    [{ SPOTIFY_CLIENT_ID: "abc", SPOTIFY_CLIENT_SECRET: "" }, /SPOTIFY_CLIENT_SECRET is set but empty/],
    [{ SPOTIFY_CLIENT_ID: " ", SPOTIFY_CLIENT_SECRET: "abc" }, /SPOTIFY_CLIENT_ID is set but empty/],
    [
      { SPOTIFY_CLIENT_ID: "", SPOTIFY_CLIENT_SECRET: "" },
      /SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are set but empty/,
    ],
  ])("refuses half-set or empty credentials %j, naming the variable to fix", (env, message) => {
    expect(() => requestsSpotifyCredentials(env)).toThrow(message);
    expect(() => readSpotifyEnv(env)).toThrow(message);
  });

  it("asks for the real API only when both credentials are set, and for the sample API when neither is", () => {
    expect(requestsSpotifyCredentials({})).toBe(false);
    expect(requestsSpotifyCredentials({ SPOTIFY_CLIENT_ID: "id", SPOTIFY_CLIENT_SECRET: "secret" })).toBe(true);
  });

  it("rejects a base URL that is not http(s)", () => {
    const env = { SPOTIFY_CLIENT_ID: "id", SPOTIFY_CLIENT_SECRET: "secret-value", SPOTIFY_API_BASE_URL: "ftp://x" };
    expect(() => readSpotifyEnv(env)).toThrow(/SPOTIFY_API_BASE_URL/);
  });

  it("keeps secrets out of JSON and inspection", () => {
    // Act
    const env = readSpotifyEnv({
      SPOTIFY_CLIENT_ID: "id",
      SPOTIFY_CLIENT_SECRET: "s3cr3t-client-secret",
      SPOTIFY_REFRESH_TOKEN: "r3fr3sh-token",
    });

    // Assess
    expect(env.clientSecret).toBe("s3cr3t-client-secret");
    expect(JSON.stringify(env)).not.toContain("s3cr3t");
    expect(JSON.stringify(env)).not.toContain("r3fr3sh");
    expect(env.apiBaseUrl).toBe("https://api.spotify.com/v1");
  });

  it("redacts secrets in text", () => {
    expect(redactSecrets("token abcdef and abcdef", ["abcdef"], {})).toBe("token *** and ***");
  });
});

describe("JSON Schema", () => {
  it("is published in sync with the valibot schema", async () => {
    // Prepare
    const published = JSON.parse(await readFile(path.join(repoRoot, "tunelake.schema.json"), "utf8"));

    // Assess
    expect(published).toEqual(configJsonSchema());
    expect(published.additionalProperties).toBe(false);
  });
});
