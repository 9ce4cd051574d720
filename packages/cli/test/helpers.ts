import { execFile } from "node:child_process";
import path from "node:path";

const BIN = path.resolve(import.meta.dirname, "../bin/tunelake.mjs");
const REPO = path.resolve(import.meta.dirname, "../../..");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `tunelake` binary (as `npx tunelake` would) in the repository root (or `cwd`), without Spotify
 * credentials.
 */
export function tunelake(args: string[], env: NodeJS.ProcessEnv = {}, cwd = REPO): Promise<CliResult> {
  return new Promise((resolve) => {
    const base = { ...process.env };
    for (const key of Object.keys(base)) if (key.startsWith("SPOTIFY_")) delete base[key];
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...base, NO_COLOR: "1", ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
