/**
 * The command line in-process (runCli, what the binary runs): exit statuses 0 / 1 / 2, --version, --json in each
 * command's help. What only the real binary shows (the bin, pipes, startup) is in bin.e2e.test.ts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { tunelake } from "./helpers.ts";
import { tempHomes } from "./temp-homes.ts";

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
});
