/**
 * The reliability suite's harness: everything in harness-core.ts, plus what needs vitest (a sample server per describe
 * block, the integration tier's shared clean run).
 */
import { cp, mkdtemp } from "node:fs/promises";
import path from "node:path";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, inject } from "vitest";
import { CLEAN_RUN_DATE, type CleanRun, fingerprint, runPipeline, startSample, tempHomes } from "./harness-core.ts";

export * from "./harness-core.ts";

/**
 * For a describe block: the sample API started in beforeAll, and temp homes (`newHome`); afterAll closes the server
 * and removes the homes.
 */
export function sampleSuite(): { readonly server: SampleServer; newHome: (label: string) => Promise<string> } {
  let server: SampleServer | undefined;
  const { newHome, cleanupAll } = tempHomes();
  beforeAll(async () => {
    server = await startSample();
  });
  afterAll(async () => {
    await server?.close();
    await cleanupAll();
  });
  return {
    get server() {
      if (!server) throw new Error("the sample server starts in beforeAll");
      return server;
    },
    newHome,
  };
}

let clean: Promise<CleanRun> | undefined;

/**
 * The integration tier's clean sample run, made once per worker by the first file that asks (under the run's
 * `cleanRunRoot`, which fixtures/setup.ts removes at the end): what every run that retried, resumed or was given bad
 * input must end with. Test files share a worker's modules, so the worker's later files reuse it.
 */
export function cleanRun(): Promise<CleanRun> {
  clean ??= makeCleanRun();
  return clean;
}

async function makeCleanRun(): Promise<CleanRun> {
  const root = inject("cleanRunRoot");
  if (!root) throw new Error("cleanRun() needs the integration tier's global setup (fixtures/setup.ts)");
  const home = await mkdtemp(path.join(root, "clean-run-"));
  const server = await startSample();
  try {
    const { record } = await runPipeline({ home, server, date: CLEAN_RUN_DATE });
    if (record.status !== "SUCCEEDED") {
      throw new Error(`the clean sample run every reliability test compares with failed: ${record.cause}`);
    }
    return { home, date: CLEAN_RUN_DATE, fingerprint: await fingerprint(home, CLEAN_RUN_DATE) };
  } finally {
    await server.close();
  }
}

/** A copy of the clean run's home at `home` (lake, catalog, executions), to change without touching the original. */
export async function copyCleanHome(home: string): Promise<string> {
  await cp((await cleanRun()).home, home, { recursive: true });
  return home;
}
