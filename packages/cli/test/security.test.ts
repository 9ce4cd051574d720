/**
 * Hostile input at the CLI's seams, in-process (README, "Hostile input"): names and homes refused as bad input
 * (exit 2), stray SPOTIFY_* variables never falling back to sample data, and tokens redacted from printed errors.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, InputError, SpotifyRequestError } from "@tunelake/core/errors";
import { HomeInvalidError } from "@tunelake/local/errors";
import { resolveSource } from "@tunelake/local/spotify-source";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Backend, openBackend } from "../src/backend.ts";
import { EXIT_CODES, exitCodeOf, reportError } from "../src/context.ts";
import { resolveExecutionName } from "../src/execution-name.ts";

describe("hostile input at the CLI", () => {
  let dir: string;
  const saved = { ...process.env };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tunelake-cli-security-"));
    for (const key of Object.keys(process.env)) if (key.startsWith("SPOTIFY_")) delete process.env[key];
  });
  afterEach(async () => {
    process.env = { ...saved };
    process.exitCode = undefined;
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it.each(["../../x", "../executions", "a/b"])("refuses the execution name %j with exit 2", async (name) => {
    // Act
    const act = resolveExecutionName({} as Backend, name);

    // Assess
    await expect(act).rejects.toBeInstanceOf(InputError);
    expect(exitCodeOf(await act.catch((e: unknown) => e))).toBe(EXIT_CODES.badInput);
  });

  it("refuses a home that is a file, and one with a glob character, with exit 2 naming it", async () => {
    // Prepare
    const file = join(dir, "home-file");
    await writeFile(file, "");

    // Act
    const asFile = await openBackend({ home: file })
      .runs.list()
      .catch((e: unknown) => e);
    const asGlob = await openBackend({ home: join(dir, "home*") })
      .runs.list()
      .catch((e: unknown) => e);

    // Assess
    expect(asFile).toBeInstanceOf(HomeInvalidError);
    expect(String(asFile)).toContain(file);
    expect(asGlob).toBeInstanceOf(HomeInvalidError);
    expect(exitCodeOf(asFile)).toBe(EXIT_CODES.badInput);
    expect(exitCodeOf(asGlob)).toBe(EXIT_CODES.badInput);
  });

  it.each([
    ["SPOTIFY_REFRESH_TOKEN", "AQonly-the-refresh-token"],
    ["SPOTIFY_API_BASE_URL", "https://api.spotify.com/v1"],
  ])("never falls back to sample data when only %s is set (--source auto)", async (name, value) => {
    // Prepare
    process.env[name] = value;

    // Act
    const act = resolveSource("auto", [], process.env);

    // Assess
    await expect(act).rejects.toBeInstanceOf(ConfigError);
    await expect(act).rejects.toThrow(`${name} is set but SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not`);
  });

  it("redacts tokens, the secret and Authorization values from a printed error", () => {
    // Prepare
    process.env.SPOTIFY_CLIENT_SECRET = "cli-security-secret-91ab";
    const written: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const error = new SpotifyRequestError({
      reason: "answered",
      status: 400,
      endpoint: "GET /artists",
      message: "Bearer BQleakedAccessToken123 with cli-security-secret-91ab and refresh_token=AQleaked456",
    });

    // Act
    reportError(error, false);

    // Assess
    const out = written.join("");
    expect(out).toContain("Bearer ***");
    for (const secret of ["BQleakedAccessToken123", "cli-security-secret-91ab", "AQleaked456"]) {
      expect(out).not.toContain(secret);
    }
  });
});
