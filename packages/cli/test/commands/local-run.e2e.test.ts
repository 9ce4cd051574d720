/**
 * Ctrl-C during a local run (the real binary, a real SIGINT / SIGTERM): the execution ends ABORTED with an
 * ExecutionAborted event, the date's lock is released, and `redrive` resumes it to success.
 */
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { getExecution, getHistory } from "@tunelake/local/executions";
import { afterAll, describe, expect, it } from "vitest";
import { tunelake } from "../helpers.ts";
import { REPO, tempHomes } from "../reliability/harness.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/tunelake.mjs");
const DATE = "2026-11-21";

/** Starts `run` (slowed by 429s with Retry-After 1), sends `signal` once Extract has started, and waits for the exit. */
function interruptedRun(home: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    for (const key of Object.keys(env)) if (key.startsWith("SPOTIFY_")) delete env[key];
    const child = spawn(
      process.execPath,
      [BIN, "--home", home, "run", "--date", DATE, "--inject-fault", "spotify-429"],
      { cwd: REPO, env },
    );
    let stdout = "";
    let sent = false;
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (!sent && chunk.toString().includes("▸ Extract")) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on("exit", (code) => resolve({ code, stdout }));
  });
}

describe("stopping a local run", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(async () => {
    await cleanupAll();
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "marks the execution ABORTED on %s, releases the lock, and a redrive completes it",
    async (signal, code) => {
      // Act
      const home = await newHome(signal);
      const stopped = await interruptedRun(home, signal);
      const record = await getExecution(home, DATE);
      const history = await getHistory(home, DATE);
      const locks = await readdir(path.join(home, "executions", ".locks")).catch(() => []);
      const redrive = await tunelake(["--home", home, "redrive", "latest"]);

      // Assess
      expect(stopped.code).toBe(code);
      expect(record).toMatchObject({ status: "ABORTED", failedStage: "Extract" });
      expect(record.pid).toBeUndefined();
      expect(history.at(-1)?.type).toBe("ExecutionAborted");
      expect(locks).toEqual([]);
      expect(stopped.stdout).toContain("ABORTED");
      expect(stopped.stdout).toContain(`redrive ${DATE}`);
      expect(redrive.code, redrive.stderr + redrive.stdout).toBe(0);
      expect(await getExecution(home, DATE)).toMatchObject({ status: "SUCCEEDED", redriveCount: 1 });
    },
  );
});
