/**
 * The order test files start in. With one worker per core, a run ends when its last long file ends, so long files
 * should start first (longest-first is the classic greedy schedule). Vitest's own order knows a file's length only
 * from its cache of the last run (node_modules/.vite/vitest), which a clean clone has none of; it then starts the
 * largest files first, which put one-test integration files that run whole pipelines, and the benchmarks' smoke
 * tests, at the very end of CI runs. Here:
 * - when the cache has a duration for every file, its order stands (this machine's last run);
 * - otherwise (a clean clone) the times on record in the repository (vitest.durations.ts) decide, longest first, and
 *   a file not on record counts as its tier's usual time.
 */
import path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { expectedDuration, recordedDurations } from "./vitest.durations.ts";

export default class TierSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const measured = ordered.every((file) =>
      this.ctx.cache.getFileTestResults(`${file.project.name}:${path.relative(this.ctx.config.root, file.moduleId)}`),
    );
    if (measured) return ordered;
    const recorded = recordedDurations();
    const expected = (file: TestSpecification) =>
      expectedDuration(recorded, path.relative(this.ctx.config.root, file.moduleId));
    return ordered.sort((a, b) => expected(b) - expected(a));
  }
}
