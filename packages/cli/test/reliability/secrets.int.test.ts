/**
 * Secrets: with real-looking credentials (a distinctive client secret and refresh token the sample API accepts) the
 * real CLI runs, fails, redrives and answers queries, and the secret and every token appear nowhere: not in its
 * output, nor in any file under the home (executions, history, outbox, raw and curated zones, catalog). Error
 * messages about credentials name what to fix, never the credential.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { DuckDBInstance } from "@duckdb/node-api";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, tunelake } from "../helpers.ts";
import { CLEAN_RUN_DATE, listFiles, startSample, suiteConfig, tempHome } from "./harness.ts";

const DATE = CLEAN_RUN_DATE;
const FAILING_DATE = "2026-11-20";
/** Every access token the sample API issues starts with this. */
const ACCESS_TOKEN = /sample-access-[0-9a-f]{24}/;

/** The text of a file as a person or a tool could read it: gzip decompressed, Parquet rows as JSON. */
async function readable(file: string): Promise<string> {
  if (file.endsWith(".parquet")) {
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
      return JSON.stringify(reader.getRowObjectsJson());
    } finally {
      connection.closeSync();
      db.closeSync();
    }
  }
  const bytes = await readFile(file);
  return (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

describe("secrets never leak", () => {
  const secret = `tlsecret${randomBytes(12).toString("hex")}`;
  const refreshToken = `tlrefresh${randomBytes(12).toString("hex")}`;
  let server: SampleServer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let home: string;
  let config: string;
  const outputs: [string, CliResult][] = [];
  const env = () => ({
    SPOTIFY_CLIENT_ID: server.clientId,
    SPOTIFY_CLIENT_SECRET: secret,
    SPOTIFY_REFRESH_TOKEN: refreshToken,
    SPOTIFY_API_BASE_URL: server.apiBaseUrl,
    SPOTIFY_ACCOUNTS_BASE_URL: server.accountsBaseUrl,
    // As much output as the CLI can give: debug logs and stacks of unexpected errors.
    TUNELAKE_LOG_LEVEL: "debug",
    TUNELAKE_DEBUG: "1",
  });
  const cli = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const result = await tunelake(["--home", home, ...args], { ...env(), ...extraEnv });
    outputs.push([args.join(" "), result]);
    return result;
  };
  const leaks = (text: string, secrets: readonly string[]) => [
    ...secrets.filter((s) => text.includes(s)),
    ...(ACCESS_TOKEN.test(text) ? ["an access token"] : []),
  ];
  const basic = () => Buffer.from(`${server.clientId}:${secret}`).toString("base64");

  beforeAll(async () => {
    server = await startSample([], { clientSecret: secret, refreshToken });
    ({ home: dir, cleanup } = await tempHome("secrets"));
    home = path.join(dir, "home");
    config = path.join(dir, "tunelake.config.json");
    await writeFile(config, JSON.stringify(await suiteConfig()));
    const source = ["--source", "spotify", "--config", config];
    const run = await cli(["run", "--date", DATE, ...source]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const failed = await cli(["--json", "run", "--date", FAILING_DATE, ...source, "--inject-fault", "crawler-failed"]);
    expect(failed.code).toBe(1);
    const redrive = await cli(["redrive", FAILING_DATE, ...source]);
    expect(redrive.code, redrive.stderr).toBe(0);
    for (const args of [
      ["executions"],
      ["--json", "executions"],
      ["history", DATE],
      ["--json", "history", FAILING_DATE],
      ["--json", "query", "SELECT * FROM plays UNION ALL BY NAME SELECT * FROM top_items"],
      ["query", "SELECT * FROM artists LIMIT 5"],
    ]) {
      const result = await cli(args);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    }
    // Nine real CLI runs (three pipeline runs among them): more than the default minute on a loaded 2-core machine.
  }, 240_000);
  afterAll(async () => {
    await server.close();
    await cleanup();
  });

  it("ran with the credentials: the user-scoped tables (refresh token) are filled", async () => {
    // Act
    const result = await cli([
      "--json",
      "query",
      "SELECT (SELECT count(*) FROM plays) AS plays, (SELECT count(*) FROM top_items) AS top",
    ]);

    // Assess
    const [row] = JSON.parse(result.stdout) as { plays: number; top: number }[];
    expect(row?.plays).toBeGreaterThan(0);
    expect(row?.top).toBeGreaterThan(0);
  });

  it("shows neither the client secret nor any token in the output of run, redrive, executions, history and query", () => {
    // Assess
    expect(outputs.length).toBeGreaterThanOrEqual(9);
    for (const [command, { stdout, stderr }] of outputs) {
      expect(leaks(stdout + stderr, [secret, refreshToken, basic()]), command).toEqual([]);
    }
  });

  it("writes neither the client secret nor any token to any file under the home (gzip and Parquet read as text)", async () => {
    // Prepare
    const files = await listFiles(home);

    // Act
    const found: string[] = [];
    for (const file of files) {
      const text = await readable(path.join(home, file));
      for (const leak of leaks(text, [secret, refreshToken, basic()])) found.push(`${file}: ${leak}`);
    }

    // Assess
    expect(found).toEqual([]);
    for (const area of ["executions/", "outbox/", "lake/raw/", "lake/curated/", "catalog/", "athena/"]) {
      expect(
        files.some((f) => f.startsWith(area)),
        area,
      ).toBe(true);
    }
    expect(files.some((f) => f.endsWith(".parquet"))).toBe(true);
    expect(files.some((f) => f.endsWith(".ndjson.gz"))).toBe(true);
  });

  it("says the client credentials were refused, without the wrong secret, when the secret is wrong", async () => {
    // Prepare
    const wrong = `tlwrong${randomBytes(12).toString("hex")}`;

    // Act
    const result = await cli(["run", "--date", "2026-11-19", "--source", "spotify", "--config", config], {
      SPOTIFY_CLIENT_SECRET: wrong,
    });
    const files = await listFiles(home);
    const texts = await Promise.all(files.map((f) => readable(path.join(home, f))));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("SpotifyAuthError");
    expect(result.stdout).toMatch(
      /Spotify refused the client credentials \(HTTP 400\)\. Check SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/,
    );
    expect(leaks(result.stdout + result.stderr, [wrong, secret])).toEqual([]);
    expect(texts.filter((t) => t.includes(wrong))).toEqual([]);
  });

  it("says the refresh token was refused, without the token, when it is wrong", async () => {
    // Prepare
    const wrong = `tlwrongrefresh${randomBytes(12).toString("hex")}`;

    // Act
    const result = await cli(["run", "--date", "2026-11-18", "--source", "spotify", "--config", config], {
      SPOTIFY_REFRESH_TOKEN: wrong,
    });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /SpotifyAuthError[\s\S]*refused the refresh token \(SPOTIFY_REFRESH_TOKEN\)[\s\S]*tunelake auth/,
    );
    expect(leaks(result.stdout + result.stderr, [wrong, secret])).toEqual([]);
  });

  it("redacts the secret from a config error that would quote it", async () => {
    // Act: a base URL that is not a URL and happens to contain the secret (a pasted line gone wrong).
    const result = await cli(["run", "--date", DATE, "--source", "spotify", "--config", config], {
      SPOTIFY_API_BASE_URL: `${secret} https://api.spotify.com/v1`,
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /ConfigError: SPOTIFY_API_BASE_URL="\*\*\* https:\/\/api\.spotify\.com\/v1" is not an http\(s\) URL/,
    );
    expect(leaks(result.stdout + result.stderr, [secret])).toEqual([]);
  });
});
