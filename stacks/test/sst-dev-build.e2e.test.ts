import { execFile } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Function as SstFunction } from "sst/constructs";
import { useRuntimeHandlers } from "sst/runtime/handlers.js";
import { afterAll, describe, expect, it } from "vitest";
import { installDuckdbBinding } from "../duckdb-bundle.ts";
import { REPO_ROOT, withOfflineApp } from "../offline-app.ts";

// `sst dev` builds each live function on this machine with SST's node runtime handler in "start" mode. That mode links
// `<out>/node_modules` to the handler package's node_modules (packages/functions/node_modules, which npm workspaces
// never create): the transform's afterBuild hook must give the bundle its DuckDB binding without going through that
// link (ENOTDIR when it dangles, a pruned folder when it exists). These tests build through SST's own handler.

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), "tunelake-sst-dev-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Names, sizes and modification times of every file under `dir` (links not followed): changes show as a diff. */
function fingerprint(dir: string): string[] {
  if (!existsSync(dir)) return ["<absent>"];
  const entries: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current).sort()) {
      const full = path.join(current, name);
      const stat = lstatSync(full);
      entries.push(`${path.relative(dir, full)} ${stat.isDirectory() ? "dir" : stat.size} ${stat.mtimeMs}`);
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return entries;
}

/** The workspace's node_modules as far as the hook could touch it: the DuckDB packages and the top-level names. */
function workspaceState(): Record<string, string[]> {
  return {
    functionsNodeModules: fingerprint(path.join(REPO_ROOT, "packages/functions/node_modules")),
    duckdb: fingerprint(path.join(REPO_ROOT, "node_modules/@duckdb")),
    topLevel: readdirSync(path.join(REPO_ROOT, "node_modules")).sort(),
  };
}

/** Imports the built handler and runs `SELECT 42` with the DuckDB it resolves, in a fresh Node process. */
const LOAD_SCRIPT = `
import { createRequire } from "node:module";
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
const handlerFile = process.argv[1];
const mod = await import(pathToFileURL(handlerFile).href);
const api = createRequire(handlerFile).resolve("@duckdb/node-api");
const { DuckDBInstance } = await import(pathToFileURL(api).href);
const connection = await (await DuckDBInstance.create(":memory:")).connect();
const rows = (await connection.runAndReadAll("SELECT 42 AS answer")).getRowObjectsJS();
const binding = createRequire(createRequire(api).resolve("@duckdb/node-bindings")).resolve(
  "@duckdb/node-bindings-" + process.platform + "-" + process.arch + "/duckdb.node",
);
console.log(JSON.stringify({ handler: typeof mod.handler, rows, api: realpathSync(api), binding: realpathSync(binding) }));
`;

async function loadFromArtifact(handlerFile: string): Promise<{
  handler: string;
  rows: Record<string, unknown>[];
  api: string;
  binding: string;
}> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", LOAD_SCRIPT, handlerFile], {
    cwd: tmp,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

describe("sst dev (SST's start-mode build)", () => {
  it("builds the transform with its own copy of this machine's DuckDB binding and leaves node_modules alone", async () => {
    // Prepare
    const before = workspaceState();

    // Act: the app as `sst dev` builds it, then SST's runtime handler builds the live Transform function.
    const built = await withOfflineApp({ stage: "dev", mode: "dev", workDir: path.join(tmp, "app") }, async (app) => {
      const transform = app.node.findAll().find((c) => c instanceof SstFunction && c.node.id === "Transform");
      if (!transform) expect.unreachable("no Transform function in the app");
      return useRuntimeHandlers().build(transform.node.addr, "start");
    });

    // Assess
    expect(built.type, JSON.stringify(built)).toBe("success");
    if (built.type !== "success") return;
    const out = built.out;
    expect(lstatSync(path.join(out, "node_modules")).isSymbolicLink()).toBe(false);
    const handlerFile = path.join(out, built.handler.replace(/\.handler$/, ".mjs"));
    const loaded = await loadFromArtifact(handlerFile);
    expect(loaded.handler).toBe("function");
    expect(loaded.rows).toEqual([{ answer: 42 }]);
    const artifact = realpathSync(out);
    expect(loaded.api.startsWith(artifact)).toBe(true);
    expect(loaded.binding.startsWith(artifact)).toBe(true);
    expect(workspaceState()).toEqual(before);
  });

  it("unlinks SST's node_modules link without touching the folder it points to", async () => {
    // Prepare: a link whose target exists, as where packages/functions/node_modules does.
    const target = path.join(tmp, "linked-node-modules");
    mkdirSync(path.join(target, "keep-me"), { recursive: true });
    writeFileSync(path.join(target, "keep-me/package.json"), '{"name":"keep-me","version":"1.0.0"}');
    const out = path.join(tmp, "out-with-link");
    mkdirSync(out);
    symlinkSync(target, path.join(out, "node_modules"), "dir");
    const before = fingerprint(target);

    // Act
    await installDuckdbBinding("arm_64", { mode: "start", offline: true })(undefined, out);

    // Assess
    expect(fingerprint(target)).toEqual(before);
    expect(lstatSync(path.join(out, "node_modules")).isSymbolicLink()).toBe(false);
    const binding = path.join(out, "node_modules/@duckdb", `node-bindings-${process.platform}-${process.arch}`);
    expect(statSync(path.join(binding, "duckdb.node")).isFile()).toBe(true);
    expect(existsSync(path.join(out, "node_modules/keep-me"))).toBe(false);
  });

  it("refuses a deploy build through a node_modules link", async () => {
    const out = path.join(tmp, "deploy-with-link");
    mkdirSync(out);
    symlinkSync(path.join(tmp, "nowhere"), path.join(out, "node_modules"), "dir");

    await expect(installDuckdbBinding("arm_64", { mode: "deploy", offline: true })(undefined, out)).rejects.toThrow(
      /is a link/,
    );
  });
});
