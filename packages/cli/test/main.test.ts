/**
 * The command line itself (the real binary): exit statuses 0 / 1 / 2, --version, --json in each command's help,
 * and a reader that stops early (`| head -1`).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tunelake } from "./helpers.ts";
import { tempHomes } from "./reliability/harness.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/tunelake.mjs");
const { version } = (await import("../package.json", { with: { type: "json" } })).default as { version: string };

describe("the tunelake command line", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(async () => {
    await cleanupAll();
  });

  it("prints its version and exits 0", async () => {
    const result = await tunelake(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it.each([
    ["an unknown option", ["run", "--no-such-option"], /unknown option '--no-such-option'/],
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["a missing argument", ["history"], /missing required argument 'name'/],
    ["an empty query", ["query", ""], /UsageError: The SQL is empty/],
    ["a whitespace query", ["query", "   "], /UsageError: The SQL is empty/],
  ])("exits 2 on %s (bad input)", async (_label, args, message) => {
    const home = await newHome("usage");
    const result = await tunelake(["--home", home, ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("exits 1 on a query that fails (not bad input: the SQL ran and failed)", async () => {
    const home = await newHome("query");
    const result = await tunelake(["--home", home, "query", "SELECT * FROM no_such_table"]);
    expect(result.code).toBe(1);
  });

  it.each(["run", "query", "executions", "history", "redrive"])("lists --json in the help of %s", async (command) => {
    const result = await tunelake([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--json\s+machine-readable output/);
  });

  it("documents the exit statuses in the help", async () => {
    const result = await tunelake(["--help"]);
    expect(result.stdout).toMatch(/Exit status: 0 success, 1 .*, 2 bad input/);
  });

  it("ends quietly when the reader of its output is gone (| true, as | head -1 after its line)", async () => {
    // Act: `true` exits without reading, long before the CLI has started and writes.
    const result = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        "/bin/sh",
        ["-c", `"${process.execPath}" "${BIN}" definition | true`],
        { env: { ...process.env, NO_COLOR: "1" } },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
      );
    });

    // Assess
    expect(result.stderr).toBe("");
  });
});
