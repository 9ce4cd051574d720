/**
 * The reliability suite's harness: everything in harness-core.ts, plus what needs vitest (a sample server per describe
 * block, the integration tier's shared clean run).
 */
import { cp } from "node:fs/promises";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, inject } from "vitest";
import { type CleanRun, startSample, tempHomes } from "./harness-core.ts";

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

/**
 * The integration tier's one clean sample run (made once by fixtures/setup.ts): what every run that retried, resumed
 * or was given bad input must end with.
 */
export function cleanRun(): CleanRun {
  const run = inject("cleanRun");
  if (!run) throw new Error("cleanRun() is provided to the integration tier (*.int.test.ts) by fixtures/setup.ts");
  return run;
}

/** A copy of the clean run's home at `home` (lake, catalog, executions), to change without touching the original. */
export async function copyCleanHome(home: string): Promise<string> {
  await cp(cleanRun().home, home, { recursive: true });
  return home;
}
