/**
 * Starts `python3 -m moto.server` on 127.0.0.1 for a test file, and says so clearly when moto is not installed.
 * Moto speaks the real AWS wire protocols, so the SDK clients are exercised end to end.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

export const DUMMY_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };
export const MOTO_REGION = "us-east-1";
export const MOTO_ACCOUNT = "123456789012";

export interface MotoServer {
  endpoint: string;
  /** Posts to moto's own API (`/moto-api/...`). */
  motoApi: (path: string, body: unknown) => Promise<void>;
  stop: () => Promise<void>;
}

/** Whether `python3 -m moto.server` can run here, and why not. */
export async function detectMoto(): Promise<{ available: true } | { available: false; reason: string }> {
  try {
    await promisify(execFile)("python3", ["-c", "import moto.server, flask"]);
    return { available: true };
  } catch (error) {
    return { available: false, reason: (error as Error).message.split("\n").slice(-2).join(" ").trim() };
  }
}

/** A 127.0.0.1 port nothing listens on right now: free to listen on, and refused at once when connected to. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * moto_server's entry point with one fix: its executing Step Functions backend deep-copies the state machine,
 * executions included, on every StartExecution, and a finished execution holds a lock that cannot be copied, so the
 * second execution of a state machine fails with HTTP 500. The copy is made without the executions list (the
 * clone never reads it).
 */
const MOTO_MAIN = `
import sys, types
try:
    from moto.stepfunctions.parser import models
    _deepcopy = models.copy.deepcopy
    def _copy_without_executions(obj, memo=None):
        executions = getattr(obj, "executions", None)
        if not isinstance(executions, list):
            return _deepcopy(obj, memo)
        obj.executions = []
        try:
            return _deepcopy(obj, memo)
        finally:
            obj.executions = executions
    models.copy = types.SimpleNamespace(deepcopy=_copy_without_executions)
except (ImportError, AttributeError) as error:
    print("tunelake: moto's Step Functions copy fix not applied:", error, file=sys.stderr)
from moto.server import main
main(sys.argv[1:])
`;

/** Starts moto_server with Step Functions executing definitions (its "parser" backend), waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("python3", ["-c", MOTO_MAIN, "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...{ AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing" } },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const motoApi = async (path: string, body: unknown) => {
    const response = await fetch(`${endpoint}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`moto ${path}: ${response.status} ${await response.text()}`);
  };
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  // A generous wait: on a loaded 2-core machine Python alone can take many seconds to import moto.
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}): ${stderr}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within 45 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await motoApi("/moto-api/config", { stepfunctions: { execute_state_machine: true } });
  return { endpoint, motoApi, stop };
}
