import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

// `npm run bench -- --json` is read by tools: its last line is one JSON object whose `transform` field has exactly
// these keys. Run small (N = 3,000) so the shape, not the speed, is what is checked.
describe("npm run bench -- --only transform --json", () => {
  it("prints the transform comparison and the read ceiling as one JSON object on its last line", async () => {
    // Act
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "bench/index.ts", "--only", "transform", "--items", "3000", "--json"],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );

    // Assert
    const output = JSON.parse(stdout.trim().split("\n").pop() ?? "");
    const { transform, transformReadCeiling } = output;
    expect(Object.keys(transform).sort()).toEqual(
      ["baselineItemsPerSecond", "baselinePeakRssMb", "items", "itemsPerSecond", "peakRssMb", "speedup"].sort(),
    );
    expect(transform.items).toBe(3000);
    for (const value of Object.values(transform)) expect(value).toBeGreaterThan(0);
    expect(transform.speedup).toBeCloseTo(transform.itemsPerSecond / transform.baselineItemsPerSecond, 1);
    expect(transformReadCeiling).toMatchObject({ threads: 1, memoryLimitMb: 128 });
    expect(transformReadCeiling.speedupCeiling).toBeCloseTo(
      transformReadCeiling.readItemsPerSecond / transform.baselineItemsPerSecond,
      1,
    );
    expect(output.extract).toBeUndefined();
  }, 120_000);
});
