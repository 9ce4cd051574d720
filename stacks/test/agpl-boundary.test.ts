/** The AGPL-3.0 devDependency @cloud-copilot/iam-simulate stays inside the IAM proof: nothing shipped may use it. */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const AGPL = "@cloud-copilot/";
/** An import or require of a module under AGPL (static, dynamic or CommonJS). */
const IMPORT = /(?:from\s*|import\s*\(\s*|require\s*\(\s*)["']@cloud-copilot\//;
const ALLOWED = path.join("stacks", "test", "iam-proof");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".sst", "cdk.out", "dist"].includes(entry.name) ? [] : sources(rel);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(entry.name) ? [rel] : [];
  });
}

describe("AGPL boundary", () => {
  it("imports @cloud-copilot/* only from stacks/test/iam-proof", () => {
    const files = ["packages", "stacks", "bench"].flatMap(sources);
    const importers = files.filter((file) => IMPORT.test(readFileSync(path.join(ROOT, file), "utf8")));

    expect(files.length).toBeGreaterThan(100);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((file) => !file.startsWith(ALLOWED))).toEqual([]);
  });

  it("keeps it out of every workspace package's dependencies and out of the root's runtime dependencies", () => {
    const manifests = [
      "package.json",
      ...readdirSync(path.join(ROOT, "packages")).map((p) => `packages/${p}/package.json`),
    ];
    for (const manifest of manifests) {
      const json = JSON.parse(readFileSync(path.join(ROOT, manifest), "utf8")) as Record<
        string,
        Record<string, string>
      >;
      const shipped = { ...json.dependencies, ...json.optionalDependencies, ...json.peerDependencies };
      expect(
        Object.keys(shipped).filter((name) => name.startsWith(AGPL)),
        manifest,
      ).toEqual([]);
    }
    const root = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(root.devDependencies["@cloud-copilot/iam-simulate"]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
