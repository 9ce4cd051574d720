/**
 * `npm run pipeline` (`tunelake run` on the sample API) ends on one 80×24 screen: the last screen shows the row table
 * and SUCCEEDED, and no line wraps (issue 27). Driven in a real pseudo-terminal with tmux where it is installed, and
 * in-process with the printed lines' count and widths everywhere.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO, tunelake } from "../helpers.ts";
import { tempHomes } from "../temp-homes.ts";

const BIN = path.join(REPO, "packages/cli/bin/tunelake.mjs");
const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
const { newHome, cleanupAll } = tempHomes();
afterAll(cleanupAll);

const DATE = "2026-11-21";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a person looks at when the run has ended: the row table, then SUCCEEDED last. */
function expectLastScreen(screen: string[]): void {
  expect(screen.some((line) => /│ table +│ rows +│ rejects │/.test(line))).toBe(true);
  expect(screen.some((line) => /│ tracks +│ \d+/.test(line))).toBe(true);
  expect(screen.filter((line) => line.trim()).at(-1)).toMatch(/^SUCCEEDED {2}execution /);
}

describe("the end of npm run pipeline on an 80×24 terminal", () => {
  it.skipIf(!hasTmux)("shows the row table and SUCCEEDED on the last screen, no line wrapped (tmux)", async () => {
    // Prepare
    const home = await newHome("one-screen-tmux");
    const session = `tunelake-one-screen-${process.pid}`;
    const exitFile = path.join(home, "exit-status");
    // No SPOTIFY_* variable: the sample API, as on a fresh clone.
    const command = `env -u SPOTIFY_CLIENT_ID -u SPOTIFY_CLIENT_SECRET -u SPOTIFY_REFRESH_TOKEN -u NO_COLOR -u CI TERM=xterm-256color '${process.execPath}' '${BIN}' --home '${home}' run --date ${DATE}; echo $? > '${exitFile}'; sleep 600`;

    try {
      // Act
      execFileSync("tmux", ["new-session", "-d", "-s", session, "-x", "80", "-y", "24", "sh", "-c", command]);
      execFileSync("tmux", ["resize-window", "-t", session, "-x", "80", "-y", "24"]);
      let status: string | undefined;
      for (let waited = 0; status === undefined && waited < 170_000; waited += 500) {
        await sleep(500);
        status = await readFile(exitFile, "utf8").catch(() => undefined);
      }
      // The visible screen, and the same screen with wrapped lines joined (-J): they are the same when nothing wraps.
      const capture = (...flags: string[]) =>
        execFileSync("tmux", ["capture-pane", "-p", ...flags, "-t", session], { encoding: "utf8" }).replace(/\n+$/, "");
      const screen = capture().split("\n");
      const joined = capture("-J").split("\n");
      const size = execFileSync("tmux", ["display", "-p", "-t", session, "#{pane_width}x#{pane_height}"], {
        encoding: "utf8",
      }).trim();

      // Assess
      expect(size).toBe("80x24");
      expect(status?.trim(), screen.join("\n")).toBe("0");
      expect(screen.length).toBeLessThanOrEqual(24);
      expectLastScreen(screen);
      expect(joined, "a line wrapped").toEqual(screen);
      expect(Math.max(...joined.map((line) => line.trimEnd().length))).toBeLessThanOrEqual(80);
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
  });

  it("prints a summary of at most 24 lines, none wider than 80 columns (in-process, COLUMNS=80)", async () => {
    // Prepare
    const home = await newHome("one-screen");

    // Act
    const result = await tunelake(["--home", home, "run", "--date", DATE], { COLUMNS: "80" });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = result.stdout.replace(/\n+$/, "").split("\n");
    const lines = [...result.stderr.replace(/\n+$/, "").split("\n"), ...summary];
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80);
    // The whole summary fits a screen, so the last 24 lines of the run hold it all.
    expect(summary.length, result.stdout).toBeLessThanOrEqual(24);
    expectLastScreen(lines.slice(-24));
  });
});
