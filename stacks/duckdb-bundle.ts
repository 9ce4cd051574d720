/**
 * Puts DuckDB's native binding into the transform bundle. `@duckdb/node-api` loads
 * `@duckdb/node-bindings-<platform>-<arch>/duckdb.node` at run time, so esbuild cannot bundle it: the three packages
 * stay external and land in the function's build folder, at exactly the versions installed here, so the JS API and
 * the native library always match.
 *
 * - Deploy builds (`sst deploy`) install them with npm for the Lambda platform (linux, glibc, the chosen CPU).
 * - Start builds (`sst dev`, where the handler runs on this machine) copy this machine's own packages into the build
 *   folder. SST's start mode links `<out>/node_modules` to the handler package's `node_modules`
 *   (packages/functions/node_modules, which npm workspaces never create); an `npm install` there would fail on the
 *   dangling link (ENOTDIR) or, where the folder exists, prune it. The hook removes the link (not its target) first.
 *
 * Why not SST's `nodejs.install`: it installs with `--omit=optional`, which drops the platform package (an optional
 * dependency of `@duckdb/node-bindings`), and takes versions from packages/functions/package.json, where a
 * linux-arm64-only package cannot be a dependency without breaking `npm install` on laptops.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, lstatSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { BuildError } from "./errors.ts";

/** Lambda architectures in SST's spelling, with npm's CPU name. */
export const LAMBDA_CPU = { arm_64: "arm64", x86_64: "x64" } as const;
export type LambdaArchitecture = keyof typeof LAMBDA_CPU;

/** SST's two build modes: `deploy` for `sst deploy` (and synth), `start` for `sst dev`. */
export type BuildMode = "deploy" | "start";

/** The packages esbuild must leave out of the transform bundle. */
export const DUCKDB_EXTERNALS = ["@duckdb/node-api", "@duckdb/node-bindings", "@duckdb/node-bindings-*"];

const require = createRequire(import.meta.url);
const installedVersion = (name: string): string =>
  (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;

/** The packages (name -> exact version) the transform bundle needs for an architecture. */
export function duckdbPackages(architecture: LambdaArchitecture): Record<string, string> {
  const api = installedVersion("@duckdb/node-api");
  const bindings = installedVersion("@duckdb/node-bindings");
  if (api !== bindings) {
    throw new BuildError({ reason: "duckdbVersions", api, bindings });
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

/** The package folders (resolved from this repository's node_modules), or undefined when one is not installed. */
function localPackageDirs(names: readonly string[]): [name: string, dir: string][] | undefined {
  try {
    return names.map((name) => [name, path.dirname(require.resolve(`${name}/package.json`))]);
  } catch {
    return undefined;
  }
}

/**
 * This machine's DuckDB platform packages, resolved the way `@duckdb/node-bindings` resolves them (from its own
 * folder): `@duckdb/node-bindings-<platform>-<arch>` and, on Linux, its musl variant when installed.
 */
export function hostBindingPackages(): [name: string, dir: string][] {
  const fromBindings = createRequire(require.resolve("@duckdb/node-bindings/package.json"));
  const base = `@duckdb/node-bindings-${process.platform}-${process.arch}`;
  const found: [string, string][] = [];
  for (const name of [base, `${base}-musl`]) {
    try {
      found.push([name, path.dirname(fromBindings.resolve(`${name}/package.json`))]);
    } catch {
      // Not installed on this machine (npm installs only the packages whose os/cpu/libc match).
    }
  }
  return found;
}

function copyPackages(out: string, dirs: readonly [name: string, dir: string][]): void {
  for (const [name, dir] of dirs) {
    cpSync(dir, path.join(out, "node_modules", ...name.split("/")), { recursive: true, dereference: true });
  }
}

/** True when `<out>/node_modules` is a link (SST's start mode makes one): nothing may be written through it. */
function linkedNodeModules(out: string): boolean {
  try {
    return lstatSync(path.join(out, "node_modules")).isSymbolicLink();
  } catch {
    return false;
  }
}

export interface DuckdbBindingOptions {
  /** SST's build mode of the function (`sst dev` builds in `start` mode). */
  mode: BuildMode;
  /** `npm run synth`: never use the network (npm's cache or this machine's packages only). */
  offline: boolean;
  log?: (message: string) => void;
}

/** Start mode: this machine's packages, copied into the build folder's own node_modules. */
function copyHostBinding(out: string): void {
  // Unlinks SST's link only; its target (the workspace's node_modules, if it exists) is left as it is.
  if (linkedNodeModules(out)) unlinkSync(path.join(out, "node_modules"));
  const host = hostBindingPackages();
  if (host.length === 0) {
    throw new BuildError({ reason: "noHostBinding", platform: process.platform, arch: process.arch });
  }
  const dirs = localPackageDirs(["@duckdb/node-api", "@duckdb/node-bindings", "detect-libc"]);
  if (!dirs) throw new BuildError({ reason: "duckdbNotInstalled" });
  const all = [...dirs, ...host];
  copyPackages(out, all);
  const dependencies = Object.fromEntries(all.map(([name]) => [name, installedVersion(name)]));
  writeFileSync(path.join(out, "package.json"), JSON.stringify({ private: true, dependencies }, null, 2));
}

const execFileAsync = promisify(execFile);

/** npm install of the Lambda platform's packages into `out`; `offline` allows npm's cache only. */
async function npmInstall(out: string, cpu: string, offline: boolean): Promise<void> {
  // --force: the platform package declares os/cpu/libc and npm refuses it on a different host otherwise.
  const args = ["install", "--omit=dev", "--omit=optional", "--no-audit", "--no-fund", "--no-package-lock", "--force"];
  await execFileAsync(
    "npm",
    [...args, "--os=linux", `--cpu=${cpu}`, "--libc=glibc", offline ? "--offline" : "--prefer-offline"],
    { cwd: out },
  );
}

/**
 * An SST `hooks.afterBuild` that puts the DuckDB packages into the transform's build folder (see the file comment).
 * `offline` (the `npm run synth` path, which must not touch the network) copies the Lambda platform's packages from
 * this repository's node_modules when this host has them (a linux-arm64 machine for arm_64), else installs them from
 * npm's cache, and otherwise leaves only the package.json, saying so.
 */
export function installDuckdbBinding(
  architecture: LambdaArchitecture,
  options: DuckdbBindingOptions,
): (props: unknown, out: string) => Promise<void> {
  return async (_props, out) => {
    if (options.mode === "start") {
      copyHostBinding(out);
      return;
    }
    if (linkedNodeModules(out)) {
      throw new BuildError({ reason: "linkedNodeModules", out });
    }
    const dependencies = duckdbPackages(architecture);
    writeFileSync(path.join(out, "package.json"), JSON.stringify({ private: true, dependencies }, null, 2));
    const cpu = LAMBDA_CPU[architecture];
    const local = localPackageDirs([...Object.keys(dependencies), "detect-libc"]);
    if (options.offline && local) {
      copyPackages(out, local);
    } else if (options.offline) {
      try {
        await npmInstall(out, cpu, true);
      } catch {
        options.log?.(
          `Offline synth: @duckdb/node-bindings-linux-${cpu} is neither installed here nor in npm's cache; the transform bundle gets its binding at \`sst deploy\`.`,
        );
        return;
      }
    } else {
      await npmInstall(out, cpu, false);
    }
    if (!existsSync(duckdbBindingPath(out, architecture))) {
      throw new BuildError({ reason: "lambdaBindingMissing", cpu, out });
    }
  };
}
