/**
 * Bad input a user types or writes (the real CLI): malformed config files, wrong id formats, invalid dates, unknown
 * faults, bad environment. Each is refused before any request with exit code 2, a ConfigError that names what to fix
 * and no stack trace, and nothing is written to the lake or the executions store.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "@tunelake/core/config/load";
import { ConfigError, InputError } from "@tunelake/core/errors";
import { assertRunDate } from "@tunelake/core/lake";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tunelake } from "../helpers.ts";
import { listFiles, tempHome } from "./harness.ts";

const GOOD_ID = "4tZwfgrHOc3mvqYlEYSvVi";

/** Config files and what the error must say about each. */
const CONFIGS: [string, string, RegExp][] = [
  ["that is not JSON (truncated)", '{ "sources": { "artists": [', /is not valid JSON/],
  ["that is empty", "", /is not valid JSON/],
  ["that holds a JSON array instead of an object", "[]", /expected a JSON object/],
  ["with a misspelt top-level key", JSON.stringify({ sourcse: { artists: [GOOD_ID] } }), /sourcse: unknown key/],
  ["with a misspelt source", JSON.stringify({ sources: { artist: [GOOD_ID] } }), /sources\.artist: unknown key/],
  [
    "with an id that is too short",
    JSON.stringify({ sources: { artists: ["4tZwfgrHOc3mvq"] } }),
    /sources\.artists\[0\]: "4tZwfgrHOc3mvq" is not a Spotify id/,
  ],
  [
    "with a Spotify URL instead of an id",
    JSON.stringify({ sources: { tracks: [`https://open.spotify.com/track/${GOOD_ID}`] } }),
    /sources\.tracks\[0\]: .* is not a Spotify id/,
  ],
  [
    "with a Spotify URI instead of an id",
    JSON.stringify({ sources: { albums: [`spotify:album:${GOOD_ID}`] } }),
    /sources\.albums\[0\]: .* is not a Spotify id/,
  ],
  [
    "with a number where an id belongs",
    JSON.stringify({ sources: { playlists: [12345] } }),
    /sources\.playlists\[0\]: Invalid type: Expected string/,
  ],
  [
    "with a string where a number belongs",
    JSON.stringify({ sources: { artists: [GOOD_ID] }, extract: { concurrency: "8" } }),
    /extract\.concurrency: Invalid type: Expected number/,
  ],
  [
    "with numbers out of range",
    JSON.stringify({ sources: { artists: [GOOD_ID] }, extract: { concurrency: 0, maxRetries: 99 } }),
    /extract\.concurrency: .*\n.*extract\.maxRetries/,
  ],
  [
    "with an empty search query and an unknown search type",
    JSON.stringify({ sources: { searches: [{ query: "  ", type: "podcast" }] } }),
    /sources\.searches\[0\]\.query: a search needs a non-empty query/,
  ],
  [
    "with an unknown access profile",
    JSON.stringify({ sources: { artists: [GOOD_ID] }, extract: { accessProfile: "premium" } }),
    /extract\.accessProfile: Invalid type: Expected \("auto" \| "development" \| "extended"\)/,
  ],
];

describe("bad input to the CLI is refused before any request", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let home: string;
  beforeAll(async () => {
    ({ home: dir, cleanup } = await tempHome("cli"));
    home = path.join(dir, "home");
  });
  afterAll(async () => {
    await cleanup();
  });

  const expectRefused = async (result: { code: number; stdout: string; stderr: string }, message: RegExp) => {
    expect(result.code, result.stderr).toBe(2);
    // A bad-input error (the class says so: exit 2), named in the message.
    expect(result.stderr).toMatch(/^tunelake: (ConfigError|InputError|UsageError|UnknownFaultError): /);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await listFiles(home)).toEqual([]);
  };

  // The corpus goes through loadConfig, exactly what `run` calls first; the CLI cases below show the exit code.
  it.each(CONFIGS)("refuses a config file %s, naming the entry", async (label, text, message) => {
    // Prepare
    const file = path.join(dir, `${label.replace(/\W+/g, "-")}.json`);
    await writeFile(file, text);

    // Act
    const error = await loadConfig(file).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ["that is not JSON", CONFIGS[0]],
    ["with a malformed id", CONFIGS[5]],
  ])("exits 2 with the ConfigError on a config file %s (the real CLI)", async (_label, entry) => {
    // Prepare
    const [, text, message] = entry as (typeof CONFIGS)[number];
    const file = path.join(dir, "cli-config.json");
    await writeFile(file, text);

    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-21", "--config", file]);

    // Assess
    await expectRefused(result, message);
  });

  it("refuses a config file that does not exist, naming it", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--config", path.join(dir, "missing.json")]);

    // Assess
    await expectRefused(result, /Cannot read config file .*missing\.json.*Pass --config FILE/);
  });

  it.each(["2026-13-01", "2026-04-31", "2025-02-29", "21-11-2026", "2026-11-21T00:00:00Z", "tomorrow", ""])(
    "refuses the run date %j",
    (date) => {
      // Act
      const act = () => assertRunDate(date);

      // Assess
      expect(act).toThrow(InputError);
      expect(act).toThrow(/Invalid run date .*use a real calendar date as YYYY-MM-DD, e\.g\. 2026-11-21/);
    },
  );

  it("exits 2 on --date 2026-02-30 before any request (the real CLI)", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-02-30"]);

    // Assess
    await expectRefused(result, /Invalid run date "2026-02-30": use a real calendar date as YYYY-MM-DD/);
  });

  it("refuses an unknown --inject-fault and lists the known ones", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-21", "--inject-fault", "disk-full"]);

    // Assess
    await expectRefused(result, /Unknown --inject-fault disk-full[\s\S]*crawler-stuck/);
  });

  it("refuses a Spotify API base URL that is not http(s)", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-21", "--source", "spotify"], {
      SPOTIFY_CLIENT_ID: "some-client-id",
      SPOTIFY_CLIENT_SECRET: "some-client-secret",
      SPOTIFY_API_BASE_URL: "ftp://api.example",
    });

    // Assess
    await expectRefused(result, /SPOTIFY_API_BASE_URL="ftp:\/\/api\.example" is not an http\(s\) URL/);
  });

  it("refuses --source spotify without credentials, saying what to set", async () => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-21", "--source", "spotify"]);

    // Assess
    await expectRefused(result, /Spotify credentials are missing: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
  });

  it.each([
    [{ SPOTIFY_CLIENT_ID: "x" }, /SPOTIFY_CLIENT_SECRET is not/],
    [{ SPOTIFY_CLIENT_SECRET: "some-secret" }, /SPOTIFY_CLIENT_ID is not/],
    [{ SPOTIFY_CLIENT_ID: "x", SPOTIFY_CLIENT_SECRET: "" }, /SPOTIFY_CLIENT_SECRET is set but empty/],
  ])("exits 2 on half-set credentials %j instead of falling back to sample data", async (env, message) => {
    // Act
    const result = await tunelake(["--home", home, "run", "--date", "2026-11-21"], env);

    // Assess
    await expectRefused(result, message);
  });

  it("refuses to redrive an execution that does not exist, saying how to list them", async () => {
    // Act
    const result = await tunelake(["--home", home, "redrive", "2026-01-01"]);

    // Assess: a name that does not exist is bad input (2), not a failed pipeline (1).
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ExecutionNotFoundError: No execution named "2026-01-01".*tunelake executions/);
  });
});
