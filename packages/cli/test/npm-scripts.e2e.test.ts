/** Root npm scripts a user types from the README, run as `npm run` runs them. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO } from "./helpers.ts";

describe("npm run synth", () => {
  it("without --out says how to call it at once, before loading CDK", () => {
    // Act
    const started = Date.now();
    const result = spawnSync("npm", ["run", "--silent", "synth"], { cwd: REPO, encoding: "utf8" });
    const seconds = (Date.now() - started) / 1000;

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run synth -- --out DIR");
    // Loading CDK and the app took about 12 s before the usage error; npm and tsx alone take about 2 s.
    expect(seconds).toBeLessThan(8);
  });
});
