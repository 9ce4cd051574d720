import { execFile } from "node:child_process";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { runCli } from "../src/cli.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/tunelake.mjs");
export const REPO = path.resolve(import.meta.dirname, "../../..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment a CLI call sees: this process's without Spotify credentials, no colours, then `env`. */
function cliEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith("SPOTIFY_")) delete base[key];
  return { ...base, NO_COLOR: "1", ...env };
}

let running = 0;

/**
 * Runs the `tunelake` command in this process (`runCli`, the entry the binary calls) in the repository root (or
 * `cwd`), without Spotify credentials, and collects what it writes. What the CLI reads of the environment comes from
 * `env`; the AWS SDK reads `process.env` itself, so `env` is also set there for the call (and the current directory
 * is `cwd`): calls run one at a time.
 */
export async function tunelake(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<CliResult> {
  if (running > 0) throw new Error("tunelake(): one in-process CLI call at a time (use tunelakeBinary to overlap)");
  running++;
  const merged = cliEnvironment(env);
  const saved = { ...process.env };
  const savedCwd = process.cwd();
  let stdout = "";
  let stderr = "";
  try {
    for (const key of Object.keys(process.env)) if (!(key in merged)) delete process.env[key];
    Object.assign(process.env, merged);
    process.chdir(cwd);
    const code = await runCli(args, {
      stdout: { write: (chunk: string) => (stdout += chunk) },
      stderr: { write: (chunk: string) => (stderr += chunk) },
      env: merged,
    });
    // As plain text, as the binary writes it with NO_COLOR=1: picocolors decides on colours once per process, and
    // CI=true (as .ci/run sets) turns them on in this one.
    return { code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) };
  } finally {
    process.chdir(savedCwd);
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    running--;
  }
}

/**
 * Runs the real `tunelake` binary (as `npx tunelake` would) in the repository root (or `cwd`), without Spotify
 * credentials: for what only a process shows (the bin itself, signals, pipes, startup).
 */
export function tunelakeBinary(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: cliEnvironment(env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
