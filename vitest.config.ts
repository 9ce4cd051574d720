import { availableParallelism } from "node:os";
import { defineConfig, type TestProjectConfiguration } from "vitest/config";
import TierSequencer from "./vitest.sequencer.ts";
import { TIER_SUFFIX } from "./vitest.tiers.ts";

const TEST_ROOTS = ["packages/*/test/**", "stacks/test/**", "bench/test/**"];
const files = (suffix: string) => TEST_ROOTS.map((root) => `${root}/*${suffix}`);
const [E2E, INTEGRATION, UNIT] = [TIER_SUFFIX.e2e, TIER_SUFFIX.integration, TIER_SUFFIX.unit];
/** The integration tier's one clean sample run, made before its files. */
const GLOBAL_SETUP = "packages/cli/test/fixtures/setup.ts";

/**
 * Three tiers (README "Development"), picked by file name, so a test's tier is visible where it lives:
 * - unit (`*.test.ts`): pure functions, DuckDB over fixtures, the sample API over HTTP, s3rver, the CLI in-process
 *   (`runCli`). `npm run test:unit`, under a minute.
 * - integration (`*.int.test.ts`): the engine, whole in-process pipelines, moto_server, CDK synth.
 * - end-to-end (`*.e2e.test.ts`): the real `tunelake` binary, Chromium, the Lambda bundle under Node 22.
 * `npm test` runs all three in one vitest run over both cores; every run ends with the slowest files.
 */
const WORKERS = availableParallelism() + 1;
/**
 * `npm test` (TUNELAKE_TEST_TIERS=all): every tier as one project. Shared workers are recycled between projects, and
 * each project then ends with its slowest file while the other workers wait; one project has one such tail, not three.
 */
const ALL_TIERS: TestProjectConfiguration = {
  extends: true,
  test: { name: "all", include: files(UNIT), hookTimeout: 180_000, globalSetup: [GLOBAL_SETUP] },
};

export default defineConfig({
  test: {
    setupFiles: ["packages/local/src/polyfills.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Files share each worker's modules instead of importing DuckDB, the AWS SDK, CDK and the SQL parsers anew per file
    // (that was a third of the suite's CPU); each file makes its own temp homes, servers, ports and DuckDB instances and
    // restores what it sets in process.env, so none sees another's state. Workers are still recycled between tiers.
    poolOptions: { forks: { isolate: false } },
    // The forks pool defaults to one worker less than the cores: one worker on a 2-core machine. Tests are isolated
    // by their own temp homes and ports, so every core runs a file, and one more runs while others wait on timers,
    // sockets and child processes. As many workers stay as start: with shared workers, letting idle ones go ends
    // the run with tinypool's "Terminating worker thread".
    maxWorkers: WORKERS,
    minWorkers: WORKERS,
    reporters: ["default", "./vitest.slowest.ts"],
    // Slowest tier first on a clean clone (vitest.sequencer.ts).
    sequence: { sequencer: TierSequencer },
    projects:
      process.env.TUNELAKE_TEST_TIERS === "all"
        ? [ALL_TIERS]
        : [
            {
              extends: true,
              test: {
                name: "unit",
                include: files(UNIT),
                exclude: [...files(INTEGRATION), ...files(E2E)],
              },
            },
            {
              extends: true,
              test: {
                name: "integration",
                include: files(INTEGRATION),
                // Setups that run whole pipelines or synth, with both cores busy.
                hookTimeout: 180_000,
                globalSetup: [GLOBAL_SETUP],
              },
            },
            { extends: true, test: { name: "e2e", include: files(E2E), hookTimeout: 180_000 } },
          ],
  },
});
