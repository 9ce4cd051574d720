/**
 * The console in a real headless Chromium (Debian's `chromium`, driven by playwright-core): after a local run and a
 * failed one (`--inject-fault crawler-failed`), `tunelake console` serves a page, logged in through the URL's
 * fragment, whose executions list, graph, state detail, redrive and query box work, under its own strict
 * Content-Security-Policy; a page on another 127.0.0.1 port gets no cookie and cannot read the token. At 1280×800 the
 * graph's labels are at least 11 px on screen (the pane scrolls instead), history details are pretty-printed and the
 * Lake tab starts with the query box. Writes the README's screenshots (docs/console-*.png, 1280×800) when
 * CONSOLE_SCREENSHOTS=1.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const REPO = path.resolve(import.meta.dirname, "../../..");
const BIN = path.join(REPO, "packages/cli/bin/tunelake.mjs");
const hasChromium = existsSync(CHROMIUM);
const screenshots = process.env.CONSOLE_SCREENSHOTS === "1";
/** A laptop's screen: the size the console must be legible at, and the README's screenshots' size. */
const VIEWPORT = { width: 1280, height: 800 };

if (!hasChromium) {
  console.warn(`Skipping the console's browser test: no Chromium at ${CHROMIUM} (apt-get install chromium).`);
}

const cleanEnv = () => {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("SPOTIFY_")) delete env[key];
  return env;
};

function tunelake(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO, env: cleanEnv() }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts `tunelake console` and resolves the URL it prints. */
function startConsole(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, "--home", home, "console", "--source", "sample"], {
    cwd: REPO,
    env: cleanEnv(),
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d) => {
      err += d;
    });
    child.stdout?.on("data", (d) => {
      out += d;
      const url = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.once("exit", (code) => reject(new Error(`tunelake console exited ${code}: ${err}`)));
  });
}

describe.skipIf(!hasChromium)("tunelake console in headless Chromium", () => {
  let home: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let server: { child: ChildProcess; url: string };
  /** CSP violations and uncaught errors the console's page reported. */
  const pageProblems: string[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(tmpdir(), "tunelake-console-"));
    const ok = await tunelake(["--home", home, "run", "--date", "2026-11-30", "--source", "sample"]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await tunelake([
      "--home",
      home,
      ...["run", "--date", "2026-12-01", "--source", "sample", "--inject-fault", "crawler-failed"],
    ]);
    expect(bad.code, bad.stderr).toBe(1);
    server = await startConsole(home);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    // One context: one cookie jar and storage, as one browser profile, for the page of another port below.
    context = await browser.newContext({ viewport: VIEWPORT });
    page = await context.newPage();
    page.on("console", (m) => {
      // Chromium reports each blocked script, style, frame or connection as a console error naming the policy.
      if (m.type() === "error" && /Content Security Policy|Refused to/.test(m.text())) pageProblems.push(m.text());
    });
    page.on("pageerror", (e) => pageProblems.push(e.message));
    await page.goto(server.url);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    if (home) await rm(home, { recursive: true, force: true });
  });

  const outcome = (state: string) => page.locator(`#graph .node[data-state="${state}"]`).getAttribute("data-outcome");

  it("lists both runs, newest first", async () => {
    const rows = page.locator("#executions tbody tr");
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
    expect(await rows.nth(0).getAttribute("data-name")).toBe("2026-12-01");
    expect(await rows.nth(0).locator("td").nth(1).textContent()).toBe("FAILED");
    expect(await rows.nth(0).locator("td").nth(4).textContent()).toBe("StartCrawler");
    expect(await rows.nth(1).getAttribute("data-name")).toBe("2026-11-30");
    expect(await rows.nth(1).locator("td").nth(1).textContent()).toBe("SUCCEEDED");
  });

  it("draws the failed run's graph with StartCrawler's path failed and Extract succeeded", async () => {
    await page.locator('#executions tbody tr[data-name="2026-12-01"]').click();
    await expect.poll(() => outcome("Failed"), { timeout: 15_000 }).toBe("failed");
    expect(await page.locator('#graph .node[data-state="StartCrawler"]').getAttribute("class")).toContain(
      "failed-stage",
    );
    expect(await outcome("CrawlerFailed")).toBe("failed");
    expect(await outcome("Extract")).toBe("succeeded");
    expect(await outcome("Validate")).toBe("not-reached");
    if (screenshots) await page.screenshot({ path: path.join(REPO, "docs/console-failed.png"), fullPage: false });
  });

  it("draws the graph's labels at least 11 px high on a 1280 px screen, scrolling the graph rather than shrinking it", async () => {
    // Act: the labels' font size as drawn, i.e. times the SVG's scale (expressions as text: this file has no DOM types).
    const drawn = (await page.evaluate(`(() => {
      const svg = document.querySelector("#graph");
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      return [...svg.querySelectorAll(".node text:not(.retries)")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    })()`)) as number[];

    // Assess
    expect(drawn.length).toBeGreaterThan(20);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(11);
  });

  it("pretty-prints the history's details, the JSON inside them too", async () => {
    const details = page.locator("#history tbody tr[data-type=TaskStateExited] .event-details").first();
    const text = (await details.textContent()) ?? "";
    expect(text).toMatch(/^\{\n {2}"/);
    // A state's output is JSON text in the event: shown as indented JSON, not as an escaped string.
    expect(text).not.toContain('\\"');
    expect(JSON.parse(text)).toMatchObject({ output: expect.any(Object) });
  });

  it("shows a state's output when it is clicked", async () => {
    await page.locator('#graph .node[data-state="Extract"] rect').click();
    await expect.poll(() => page.locator("#state-name").textContent()).toBe("Extract (Task)");
    const output = JSON.parse((await page.locator("#state-output").textContent()) ?? "null");
    expect(output).toMatchObject({ date: "2026-12-01" });
  });

  it("redrives the failed run after a confirmation, and its graph turns green", async () => {
    await page.locator("#redrive").click();
    await expect.poll(() => page.locator("#confirm-text").textContent()).toContain("resuming at StartCrawler");
    await page.locator("#confirm-ok").click();
    await expect
      .poll(() => page.locator("#execution-title").textContent(), { timeout: 90_000, interval: 1000 })
      .toBe("2026-12-01 — SUCCEEDED");
    await expect.poll(() => outcome("Succeeded")).toBe("succeeded");
    for (const state of ["StartCrawler", "Validate", "Extract"]) expect(await outcome(state)).toBe("succeeded");
    for (const state of ["CrawlerFailed", "NotifyFailure", "Failed"]) expect(await outcome(state)).toBe("not-reached");
    expect(await page.locator("#graph .node.outcome-failed").count()).toBe(0);
    expect(await page.locator('#executions tbody tr[data-name="2026-12-01"] td').nth(5).textContent()).toBe("1");
    if (screenshots) await page.screenshot({ path: path.join(REPO, "docs/console-redriven.png"), fullPage: false });
  }, 120_000);

  it("runs SQL from the query box and shows the rows", async () => {
    await page.locator("#nav-lake").click();
    await page.locator("#sql").fill("SELECT table_name, row_count FROM table_stats WHERE dt = '2026-12-01' ORDER BY 1");
    await page.locator("#query-form button").click();
    await expect.poll(() => page.locator("#query-info").textContent()).toMatch(/^\d+ rows/);
    expect(await page.locator("#query-result tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator("#query-result thead th").allTextContents()).toEqual(["table_name", "row_count"]);
    // The lake's own queries run beside the query box's (each on its own connection): either may finish first.
    await expect.poll(() => page.locator("#rows-chart svg").count()).toBeGreaterThan(0);
    // The query box comes first, on the first screen; then a row-count chart per table over the dates.
    const box = await page.locator("#sql").boundingBox();
    expect(box?.y ?? Number.POSITIVE_INFINITY).toBeLessThan(VIEWPORT.height / 2);
    const charts = await page.evaluate(
      `[...document.querySelectorAll("#rows-chart svg.rows-chart")].map((n) => [n.dataset.table, n.querySelectorAll("rect.bar").length])`,
    );
    expect(charts).toContainEqual(["tracks", 2]);
    // A grid of panels that scroll inside themselves, not one column of every table (about 3,400 px before).
    const height = Number(await page.evaluate(`document.querySelector("#lake-view").getBoundingClientRect().height`));
    expect(height).toBeLessThan(2 * VIEWPORT.height);
    if (screenshots) await page.screenshot({ path: path.join(REPO, "docs/console-lake.png"), fullPage: false });
  });

  it("shows the query box's refusal of a COPY, and the note on a truncated result", async () => {
    // Act
    await page.locator("#sql").fill("COPY (SELECT 1) TO '/tmp/tunelake-console-copy.csv'");
    await page.locator("#query-form button").click();

    // Assess
    await expect
      .poll(() => page.locator("#query-info").textContent())
      .toMatch(/^QueryRefusedError: Refused: .*got COPY/);

    // Act
    await page.locator("#sql").fill("SELECT * FROM range(100000000)");
    await page.locator("#query-form button").click();

    // Assess
    await expect.poll(() => page.locator("#query-info").textContent()).toMatch(/^10000 rows · Truncated: /);
    expect(await page.locator("#query-info").getAttribute("class")).toBe("truncated");
  });

  it("logs in through the fragment: the token leaves the address bar, sets no cookie, and the page broke no CSP rule", async () => {
    // Assess
    expect(page.url()).not.toContain("token");
    expect(await context.cookies()).toEqual([]);
    // Expressions as text: they run in the page (this file is typed without the DOM).
    expect(await page.evaluate("document.cookie")).toBe("");
    expect(await page.evaluate('sessionStorage.getItem("tunelake-console-token")')).toBe(
      new URL(server.url).hash.slice("#token=".length),
    );
    expect(pageProblems).toEqual([]);
  });

  it("refuses the API without the token", async () => {
    const base = new URL(server.url).origin;
    const token = new URL(server.url).hash.slice("#token=".length);
    expect((await fetch(`${base}/api/executions`)).status).toBe(403);
    expect((await fetch(`${base}/api/executions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it("gives a page on another 127.0.0.1 port, visited after the console, no cookie and no way to the token", async () => {
    // Prepare: another local web server (any app on the laptop), recording what the browser sends it.
    const seen: IncomingHttpHeaders[] = [];
    const other: Server = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>another app</title><p>another app</p>");
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`;
    const consoleOrigin = new URL(server.url).origin;
    const tab = await context.newPage();
    try {
      // Act: the same browser, after the console was opened; then the other page tries the console's API.
      await tab.goto(otherUrl);
      const found = await tab.evaluate(`(async () => {
        const read = await fetch(${JSON.stringify(`${consoleOrigin}/api/executions`)}, { credentials: "include" })
          .then((r) => "read " + r.status)
          .catch(() => "blocked");
        return { cookie: document.cookie, token: sessionStorage.getItem("tunelake-console-token"), read };
      })()`);

      // Assess
      expect(seen.length).toBeGreaterThan(0);
      for (const headers of seen) expect(headers.cookie).toBeUndefined();
      expect(found).toEqual({ cookie: "", token: null, read: "blocked" });
    } finally {
      await tab.close();
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
