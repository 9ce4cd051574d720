/**
 * The console's access rules and query box under attack (issue 23), in process (the Hono app, no socket): the token
 * in a header and never a cookie, the Host pinned to the bound address, Origin checks that refuse `null` with a 403,
 * strict security headers on every response, and the query box's refusals, caps and timeout (400 / truncated / 504)
 * over a real locked-down DuckDB, answering normally after each attack.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { QueryEngine, Runs } from "@tunelake/core/ports";
import { crawlCuratedZone } from "@tunelake/local/catalog";
import { createLocalQueryEngine } from "@tunelake/local/query-engine";
import { createLocalRuns } from "@tunelake/local/runs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition } from "../src/definition.ts";
import { ACTION_HEADER, type ConsoleApp, createConsoleApp, SECURITY_HEADERS } from "../src/server.ts";

const PORT = 41237;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const hasMkfifo = existsSync("/usr/bin/mkfifo");

describe("the console under attack", () => {
  let home: string;
  let outside: string;
  let runs: Runs;
  let query: QueryEngine;
  let consoleApp: ConsoleApp;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "tunelake-console-sec-"));
    outside = await mkdtemp(join(tmpdir(), "tunelake-console-outside-"));
    const dir = join(home, "lake", "curated", "playlists", "dt=2026-11-20");
    await mkdir(dir, { recursive: true });
    const db = await DuckDBInstance.create(":memory:");
    const connection = await db.connect();
    await connection.run(
      `COPY (SELECT 'pl1' AS playlist_id, 'Sample ' || chr(27) || '[2J mix' AS name) TO '${join(dir, "part-00000.parquet")}' (FORMAT parquet)`,
    );
    connection.closeSync();
    db.closeSync();
    await crawlCuratedZone(home);
    runs = createLocalRuns({
      home,
      handlers: async () => {
        throw new Error("no run is started by these tests");
      },
    });
    query = createLocalQueryEngine(home, { limits: { timeoutMs: 1000, maxRows: 100, maxBytes: 64 * 1024 } });
    consoleApp = createConsoleApp({ runs, query, definition: localDefinition(), token: "t".repeat(32) });
    consoleApp.bind(PORT);
  });

  afterAll(async () => {
    await query?.close();
    await runs?.close();
    await rm(home, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  /** A request as the page makes it: bound Host, the token in the Authorization header. */
  const request = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    consoleApp.app.request(`${ORIGIN}${path}`, {
      ...init,
      headers: { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${consoleApp.token}`, ...init.headers },
    });
  const runQuery = (sql: string) =>
    request("/api/query", {
      method: "POST",
      headers: { "content-type": "application/json", [ACTION_HEADER]: "1", origin: ORIGIN },
      body: JSON.stringify({ sql }),
    });
  /** The console still answers: the API and a query. */
  const stillWorks = async () => {
    expect((await request("/api/info")).status).toBe(200);
    const res = await runQuery("SELECT count(*) AS n FROM playlists");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([{ n: 1 }]);
  };

  describe("access", () => {
    it.each([
      ["no token", { authorization: "" }, 403],
      ["a wrong token of the same length", { authorization: `Bearer ${"x".repeat(32)}` }, 403],
      [
        "the token as a cookie (the console sets none, and reads none)",
        { authorization: "", cookie: `tunelake_console=${"t".repeat(32)}` },
        403,
      ],
      ["a rebound DNS name as Host", { host: `evil.example:${PORT}` }, 421],
      ["another port as Host", { host: "127.0.0.1:1" }, 421],
      ["Origin: null (a sandboxed frame, a file: page)", { origin: "null" }, 403],
      ["a malformed Origin", { origin: "http://[::1" }, 403],
      ["another port's Origin", { origin: "http://127.0.0.1:1" }, 403],
      ["a web site's Origin", { origin: "https://evil.example" }, 403],
    ])("refuses the API with %s", async (_, headers, status) => {
      // Act
      const res = await request("/api/executions", { headers });

      // Assess
      expect(res.status).toBe(status);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    });

    it("refuses an action without the action header, even with the token", async () => {
      // Act
      const res = await request("/api/executions", { method: "POST", body: JSON.stringify({ date: "2026-11-20" }) });

      // Assess
      expect(res.status).toBe(403);
    });

    it("answers the page's own calls and never sets a cookie", async () => {
      // Act
      const page = await request("/", { headers: { authorization: "" } });
      const info = await request("/api/info", { headers: { origin: ORIGIN } });
      const local = await request("/api/info", { headers: { host: `localhost:${PORT}` } });

      // Assess
      expect(page.status).toBe(200);
      expect(info.status).toBe(200);
      expect(local.status).toBe(200);
      for (const res of [page, info, local]) expect(res.headers.get("set-cookie")).toBeNull();
    });

    it.each(["/", "/app.js", "/app.css", "/api/info", "/api/nothing-here", "/?token=x"])(
      "sends the strict security headers on %s",
      async (path) => {
        // Act
        const res = await request(path);

        // Assess
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
        expect(res.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
        expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
      },
    );

    it("sends the security headers on a refusal too", async () => {
      // Act
      const res = await request("/api/info", { headers: { host: "evil.example" } });

      // Assess
      expect(res.status).toBe(421);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    });

    it("refuses everything before it is bound to a port", async () => {
      // Prepare
      const unbound = createConsoleApp({ runs, query, definition: localDefinition(), token: "u".repeat(32) });

      // Act
      const res = await unbound.app.request(`${ORIGIN}/api/info`, {
        headers: { host: `127.0.0.1:${PORT}`, authorization: `Bearer ${"u".repeat(32)}` },
      });

      // Assess
      expect(res.status).toBe(421);
    });
  });

  describe("the query box", () => {
    it.each([
      ["COPY to a file", () => `COPY (SELECT 1) TO '${join(outside, "x.csv")}'`],
      ["ATTACH", () => `ATTACH '${join(outside, "x.duckdb")}'`],
      ["INSTALL from a URL", () => "INSTALL httpfs FROM 'http://127.0.0.1:1/'"],
      ["SET enable_external_access", () => "SET enable_external_access = true"],
      ["CREATE VIEW replacing a table's view", () => "CREATE OR REPLACE VIEW playlists AS SELECT 1 AS n"],
      ["two statements", () => "SELECT 1; SELECT 2"],
    ])("answers 400 naming the rule to %s, and keeps working", async (_, sql) => {
      // Act
      const res = await runQuery(sql());

      // Assess
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: "QueryRefusedError",
        message: expect.stringMatching(/exactly one SELECT \(or WITH … SELECT\) statement/),
      });
      expect(existsSync(join(outside, "x.csv"))).toBe(false);
      expect(existsSync(join(outside, "x.duckdb"))).toBe(false);
      await stillWorks();
    });

    it.each([
      ["read_csv of /etc/passwd", "SELECT * FROM read_csv('/etc/passwd', sep = ':')"],
      ["read_text of /etc/passwd", "SELECT * FROM read_text('/etc/passwd')"],
    ])("answers 400 to %s (a file outside the allowed directories), and keeps working", async (_, sql) => {
      // Act
      const res = await runQuery(sql);

      // Assess
      expect(res.status).toBe(400);
      const body = (await res.json()) as { message: string };
      expect(body.message).toMatch(
        /^Refused: a query reads the curated tables only .*got Cannot access file "\/etc\/passwd"/,
      );
      expect(body.message).not.toMatch(/root:/);
      await stillWorks();
    });

    it.skipIf(!hasMkfifo)("refuses to read a FIFO outside the curated zone, and keeps working", async () => {
      // Prepare
      const fifo = join(outside, "fifo");
      execFileSync("mkfifo", [fifo]);

      // Act
      const res = await runQuery(`SELECT * FROM read_text('${fifo}')`);

      // Assess
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(/curated tables only.*fifo/);
      await stillWorks();
    });

    it("caps a huge result and says it truncated", async () => {
      // Act
      const res = await runQuery("SELECT * FROM range(100000000)");

      // Assess
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: unknown[]; truncated: unknown; truncatedMessage: string };
      expect(body.rows).toHaveLength(100);
      expect(body.truncated).toEqual({ limit: "rows", maxRows: 100, maxBytes: 64 * 1024 });
      expect(body.truncatedMessage).toMatch(/^Truncated: .*the limit is 100 rows/);
      await stillWorks();
    });

    it("answers with the status the error's class gives: 404 for an execution that does not exist", async () => {
      // Act
      const res = await request("/api/executions/2001-01-01");

      // Assess
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: "ExecutionNotFoundError" });
    });

    it("answers 504 to a query past its time limit, and keeps working", async () => {
      // Act
      const res = await runQuery("SELECT count(*) FROM range(1000000000000)");

      // Assess
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ error: "QueryTimeoutError" });
      await stillWorks();
    });

    it("returns a value carrying ESC sequences as JSON data (the page shows it as text)", async () => {
      // Act
      const res = await runQuery("SELECT name FROM playlists");

      // Assess
      expect(((await res.json()) as { rows: { name: string }[] }).rows[0]?.name).toBe("Sample \u001b[2J mix");
    });
  });
});

if (!hasMkfifo) console.warn("mkfifo is not available: the console's FIFO attack test is skipped.");
