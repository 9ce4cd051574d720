import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AWS_COMMANDS, preflight } from "../preflight.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const scripts = (
  JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
).scripts;

describe("deploy scripts", () => {
  it("runs sst with telemetry off, and dev on a named stage (no prompt)", () => {
    expect(scripts.deploy).toMatch(/^SST_TELEMETRY_DISABLED=1 sst deploy/);
    expect(scripts.dev).toMatch(/^SST_TELEMETRY_DISABLED=1 sst dev --stage \S+/);
    // `npx sst ...` skips the npm scripts: sst.config.ts turns telemetry off too, and runs the preflight.
    const config = readFileSync(path.join(ROOT, "sst.config.ts"), "utf8");
    expect(config).toContain('process.env.SST_TELEMETRY_DISABLED ??= "1"');
    expect(config).toContain("await preflight(");
  });

  it.each([["version"], ["telemetry"], ["types"], [undefined]])(
    "asks AWS nothing for the offline command %s",
    async (command) => {
      await expect(preflight({ command, region: "us-east-1", env: {} })).resolves.toBeUndefined();
    },
  );

  it("checks every command that deploys, runs or reads a stage", () => {
    expect(AWS_COMMANDS).toEqual(expect.arrayContaining(["deploy", "dev", "remove", "secrets", "bind", "diff"]));
  });
});
