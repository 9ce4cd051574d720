/**
 * The real `tunelake` binary, for what only a process shows: the bin runs the compiled CLI (and the sources through
 * tsx when they are newer), exit statuses reach the shell, and a reader that stops early (`| head -1`) ends it
 * quietly. Everything else about the command line is tested in-process (main.test.ts).
 */
import { execFile, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../aws/test/moto-server.ts";
import { tunelakeBinary } from "./helpers.ts";
import { tempHomes } from "./temp-homes.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/tunelake.mjs");
const { version } = (await import("../package.json", { with: { type: "json" } })).default as { version: string };

describe("the tunelake binary", () => {
  const { newHome, cleanupAll } = tempHomes();
  afterAll(async () => {
    await cleanupAll();
  });

  it("prints its version and exits 0, compiled and from the sources", async () => {
    const compiled = await tunelakeBinary(["--version"]);
    expect(compiled).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    const fromSources = await tunelakeBinary(["--version"], { TUNELAKE_FROM_SOURCE: "1" });
    expect(fromSources).toEqual(compiled);
  });

  it("has a current compiled build (npm run build), so no invocation transpiles", async () => {
    const build = JSON.parse(await readFile(path.resolve(import.meta.dirname, "../dist/build.json"), "utf8")) as {
      inputs: string[];
    };
    expect(build.inputs).toContain("packages/cli/src/cli.ts");
    // The compiled CLI loads DuckDB, the AWS SDK and the engine only in the commands that use them.
    const main = await readFile(path.resolve(import.meta.dirname, "../dist/main.mjs"), "utf8");
    expect(main).not.toMatch(/@duckdb|@aws-sdk|aws-local-stepfunctions|hono/);
  });

  it("exits 2 on bad input and 1 on a query that fails, as the shell sees them", async () => {
    const home = await newHome("bin");
    expect((await tunelakeBinary(["--home", home, "frobnicate"])).code).toBe(2);
    const failed = await tunelakeBinary(["--home", home, "query", "SELECT * FROM no_such_table"]);
    expect(failed.code, failed.stderr).toBe(1);
  });

  it("answers a query over an empty home", async () => {
    const home = await newHome("bin-query");
    const result = await tunelakeBinary(["--home", home, "query", "SELECT 1 AS one", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([{ one: 1 }]);
  });

  it("ends quietly when the reader of its output is gone (| true, as | head -1 after its line)", async () => {
    // Act: `true` exits without reading, long before the CLI has started and writes.
    const result = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) => {
      execFile(
        "/bin/sh",
        ["-c", `"${process.execPath}" "${BIN}" definition | true`],
        { env: { ...process.env, NO_COLOR: "1" } },
        (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
      );
    });

    // Assess
    expect(result.stderr).toBe("");
  });

  it("serves the console on the --port asked for, and ends within 2 s of SIGTERM", async () => {
    // Prepare: a port that is free now.
    const port = await freePort();
    const home = await newHome("console");
    const child = spawn(process.execPath, [BIN, "--home", home, "console", "--port", String(port)], {
      env: { ...process.env, NO_COLOR: "1" },
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

    // Act
    const firstLine = await new Promise<string>((resolve) => {
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(out);
      });
    });
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const stopAt = Date.now();
    child.kill("SIGTERM");
    await exited;

    // Assess
    expect(firstLine).toContain(`http://127.0.0.1:${port}/#token=`);
    expect(page.status).toBe(200);
    expect(Date.now() - stopAt).toBeLessThan(2000);
  });
});
