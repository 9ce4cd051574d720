import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// `npm ci` installs only what package-lock.json lists. A platform package missing from it (or at another version than
// its parent) means no DuckDB, Biome or esbuild binary on that platform, even though the install "succeeds".
interface LockEntry {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(path.join(__dirname, "../../package-lock.json"), "utf8")) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** The lock key a dependency of the package at `from` resolves to, the way Node walks up `node_modules` folders. */
function resolveInLock(from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const key = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!dir) return undefined;
    const up = dir.lastIndexOf("/node_modules/");
    dir = up < 0 ? "" : dir.slice(0, up);
  }
}

/** Every lock key of a package, hoisted or nested (esbuild appears once per version in the tree). */
const keysOf = (name: string): string[] =>
  Object.keys(lock.packages).filter((key) => key === `node_modules/${name}` || key.endsWith(`/node_modules/${name}`));

/** The platforms tunelake supports (README: Requirements). */
const DUCKDB_PLATFORMS = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64", "win32-x64"] as const;

describe("package-lock.json", () => {
  const bindings = lock.packages["node_modules/@duckdb/node-bindings"];

  it("is a v3 lockfile with one @duckdb/node-bindings, at @duckdb/node-api's version", () => {
    expect(lock.lockfileVersion).toBe(3);
    expect(keysOf("@duckdb/node-bindings")).toEqual(["node_modules/@duckdb/node-bindings"]);
    expect(bindings?.version).toBeDefined();
    expect(lock.packages["node_modules/@duckdb/node-api"]?.version).toBe(bindings?.version);
  });

  it.each(DUCKDB_PLATFORMS)("lists DuckDB's %s binding at @duckdb/node-bindings's version", (platform) => {
    const name = `@duckdb/node-bindings-${platform}`;
    const [os, cpu] = platform.split("-");

    expect(bindings?.optionalDependencies?.[name]).toBe(bindings?.version);
    const entry = lock.packages[`node_modules/${name}`];
    expect(entry, `${name} is missing from package-lock.json`).toBeDefined();
    expect(entry?.version).toBe(bindings?.version);
    expect(entry?.optional).toBe(true);
    expect(entry?.os).toEqual([os]);
    expect(entry?.cpu).toEqual([cpu]);
  });

  it.each([
    ["@biomejs/biome", "@biomejs/cli-"],
    ["esbuild", "@esbuild/"],
  ])("lists every platform CLI of each %s in the tree at its parent's version", (parent, prefix) => {
    const parents = keysOf(parent);
    expect(parents.length).toBeGreaterThan(0);
    for (const key of parents) {
      const entry = lock.packages[key]!;
      const platforms = Object.entries(entry.optionalDependencies ?? {}).filter(([name]) => name.startsWith(prefix));
      expect(platforms.length, `${key} declares no ${prefix}* platform packages`).toBeGreaterThan(5);
      for (const [name, spec] of platforms) {
        expect(spec, `${key} pins ${name}`).toBe(entry.version);
        const resolved = resolveInLock(key, name);
        expect(resolved, `${name} (for ${key}) is missing from package-lock.json`).toBeDefined();
        expect(lock.packages[resolved!]?.version, `${resolved} for ${key}`).toBe(entry.version);
      }
    }
  });
});
