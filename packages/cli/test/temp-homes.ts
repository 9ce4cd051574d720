/** Temp tunelake homes for tests (a module with no heavy imports, so light test files stay light). */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A temp tunelake home, removed by `cleanup`. */
export async function tempHome(label: string): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(path.join(os.tmpdir(), `tunelake-rel-${label}-`));
  return { home, cleanup: () => rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }) };
}

/** Temp homes for a test file: `newHome(label)` makes one, `cleanupAll()` (in afterAll) removes them all. */
export function tempHomes(): { newHome: (label: string) => Promise<string>; cleanupAll: () => Promise<void> } {
  const cleanups: (() => Promise<void>)[] = [];
  return {
    newHome: async (label) => {
      const { home, cleanup } = await tempHome(label);
      cleanups.push(cleanup);
      return home;
    },
    cleanupAll: async () => {
      await Promise.all(cleanups.map((cleanup) => cleanup()));
    },
  };
}
