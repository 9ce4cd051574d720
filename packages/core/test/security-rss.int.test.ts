/**
 * Peak RSS of the hostile-input runs (security.test.ts, "(fresh process)"): test files share their workers, so a
 * worker's peak includes the files before it; here they run alone in a new vitest process, where each asserts its
 * peak stays under 512 MB and says it.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("peak RSS of the hostile-input runs", () => {
  it("stays under 512 MB for the gzip bomb, the deep and huge objects and the huge string, in a fresh process", async () => {
    // Act: security.test.ts's "(fresh process)" tests, alone in a new vitest process (as its own tier, without the
    // all-tiers project of npm test and its global setup).
    const root = path.resolve(import.meta.dirname, "../../..");
    const vitest = path.join(root, "node_modules/vitest/vitest.mjs");
    const { TUNELAKE_TEST_TIERS: _allTiers, ...env } = process.env;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [vitest, "run", "packages/core/test/security.test.ts", "-t", "fresh process"],
      { cwd: root, env: { ...env, TUNELAKE_RSS_PROBE: "1", TUNELAKE_SLOWEST: "0" }, maxBuffer: 16 << 20 },
    );

    // Assess: it passed (each asserts < 512 MB itself), and said its peaks.
    const peaks = [...stdout.matchAll(/peak RSS (\d+) MB/g)].map((m) => Number(m[1]));
    expect(peaks, stdout).toHaveLength(3);
    for (const peak of peaks) expect(peak).toBeLessThan(512);
  }, 240_000);
});
