/**
 * The real `sst` binary, offline: with no credentials, or with AWS_ENDPOINT_URL on a 127.0.0.1 port that refuses,
 * `npx sst deploy` and `npx sst secrets set` exit non-zero within 30 seconds and say why (sst.config.ts preflight,
 * telemetry off), instead of exiting 0 with nothing printed or hanging.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../packages/aws/test/moto-server.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SST = path.join(ROOT, "node_modules", ".bin", "sst");
const canRun = existsSync(SST);
if (!canRun) console.warn(`SKIPPED: ${SST} is missing (run npm ci); the offline sst checks did NOT run.`);

/** Runs `npx sst <args>` in the repository with `env` on top of a credential-free environment. */
function sst(args: string[], env: Record<string, string>, home: string) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(AWS_|SST_)/.test(key))) as Record<
    string,
    string
  >;
  return new Promise<{ code: number | null; output: string; ms: number }>((resolve) => {
    const started = Date.now();
    const child = spawn("npx", ["sst", ...args], {
      cwd: ROOT,
      env: {
        ...base,
        HOME: home,
        AWS_CONFIG_FILE: path.join(home, "none"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none"),
        AWS_EC2_METADATA_DISABLED: "true",
        NO_UPDATE_NOTIFIER: "1",
        npm_config_update_notifier: "false",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

describe.skipIf(!canRun)("sst offline (real binary)", () => {
  let home: string;
  let endpoint: string;
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "tunelake-sst-offline-"));
    endpoint = `http://127.0.0.1:${await freePort()}`;
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  it("npx sst deploy --stage x fails within 30 s naming the unreachable endpoint", async () => {
    const result = await sst(
      ["deploy", "--stage", "x"],
      { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "y", AWS_REGION: "us-east-1" },
      home,
    );

    expect(result.code, result.output).not.toBe(0);
    expect(result.ms).toBeLessThan(30_000);
    expect(result.output).toContain(`Could not reach ${endpoint}`);
    expect(result.output).toContain("ECONNREFUSED");
    expect(result.output).not.toContain("Trace:");
  }, 60_000);

  it.each([[["deploy", "--stage", "x"]], [["secrets", "set", "SPOTIFY_CLIENT_ID", "abc", "--stage", "x"]]])(
    "npx sst %j fails within 30 s saying credentials are missing",
    async (args) => {
      const result = await sst(args, { AWS_REGION: "us-east-1" }, home);

      expect(result.code, result.output).not.toBe(0);
      expect(result.ms).toBeLessThan(30_000);
      expect(result.output).toContain("No AWS credentials found");
    },
    60_000,
  );
});
