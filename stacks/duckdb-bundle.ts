/**
 * Puts DuckDB's native binding into the transform bundle. `@duckdb/node-api` loads
 * `@duckdb/node-bindings-<platform>-<arch>/duckdb.node` at run time, so esbuild cannot bundle it: the three packages
 * stay external and are installed into the function's build folder for the Lambda platform (linux, glibc, the chosen
 * CPU) at exactly the versions installed here, so the JS API and the native library always match.
 *
 * Why not SST's `nodejs.install`: it installs with `--omit=optional`, which drops the platform package (an optional
 * dependency of `@duckdb/node-bindings`), and takes versions from packages/functions/package.json, where a
 * linux-arm64-only package cannot be a dependency without breaking `npm install` on laptops.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";

/** Lambda architectures in SST's spelling, with npm's CPU name. */
export const LAMBDA_CPU = { arm_64: "arm64", x86_64: "x64" } as const;
export type LambdaArchitecture = keyof typeof LAMBDA_CPU;

/** The packages esbuild must leave out of the transform bundle. */
export const DUCKDB_EXTERNALS = ["@duckdb/node-api", "@duckdb/node-bindings", "@duckdb/node-bindings-*"];

/** The packages (name -> exact version) the transform bundle needs for an architecture. */
export function duckdbPackages(architecture: LambdaArchitecture): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (name: string): string =>
    (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
  const api = version("@duckdb/node-api");
  const bindings = version("@duckdb/node-bindings");
  if (api !== bindings) {
    throw new Error(
      `@duckdb/node-api ${api} and @duckdb/node-bindings ${bindings} differ: run \`npm install\` so they match before deploying.`,
    );
  }
  return {
    "@duckdb/node-api": api,
    "@duckdb/node-bindings": bindings,
    [`@duckdb/node-bindings-linux-${LAMBDA_CPU[architecture]}`]: bindings,
  };
}

/** Where the native library lands inside the function's build folder. */
export const duckdbBindingPath = (out: string, architecture: LambdaArchitecture): string =>
  path.join(out, "node_modules", "@duckdb", `node-bindings-linux-${LAMBDA_CPU[architecture]}`, "duckdb.node");

/** The package folders (resolved from this repository's node_modules) that the offline path copies. */
function localPackageDirs(names: readonly string[]): [name: string, dir: string][] | undefined {
  const require = createRequire(import.meta.url);
  try {
    return names.map((name) => [name, path.dirname(require.resolve(`${name}/package.json`))]);
  } catch {
    return undefined;
  }
}

/**
 * An SST `hooks.afterBuild` that puts the DuckDB packages for the Lambda platform into the build folder.
 * Deploys install them with npm for linux/<cpu>/glibc. `offline` (the `npm run synth` path, which must not touch the
 * network) copies them from this repository's node_modules when the host has the same platform package at the same
 * version (a linux-x64 machine for x86_64), and otherwise leaves only the package.json, saying so.
 */
export function installDuckdbBinding(
  architecture: LambdaArchitecture,
  options: { offline: boolean; log?: (message: string) => void },
): (props: unknown, out: string) => Promise<void> {
  return async (_props, out) => {
    const dependencies = duckdbPackages(architecture);
    writeFileSync(path.join(out, "package.json"), JSON.stringify({ private: true, dependencies }, null, 2));
    const cpu = LAMBDA_CPU[architecture];
    if (options.offline) {
      const dirs = localPackageDirs([...Object.keys(dependencies), "detect-libc"]);
      if (!dirs) {
        options.log?.(
          `Offline synth: no local @duckdb/node-bindings-linux-${cpu}; the transform bundle gets its binding at \`sst deploy\`.`,
        );
        return;
      }
      for (const [name, dir] of dirs) {
        cpSync(dir, path.join(out, "node_modules", ...name.split("/")), { recursive: true, dereference: true });
      }
    } else {
      // --force: the platform package declares os/cpu/libc and npm refuses it on a different host otherwise.
      const args = ["install", "--omit=dev", "--omit=optional", "--no-audit", "--no-fund", "--no-package-lock"];
      await promisify(execFile)("npm", [...args, "--force", "--os=linux", `--cpu=${cpu}`, "--libc=glibc"], {
        cwd: out,
      });
    }
    if (!existsSync(duckdbBindingPath(out, architecture))) {
      throw new Error(`DuckDB's native binding for linux-${cpu} is missing from ${out}: check npm's output above.`);
    }
  };
}
