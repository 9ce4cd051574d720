/**
 * The test tiers (README "Development"), picked by file name so a test's tier is visible where it lives. The config,
 * the file order and the slowest-files report all read them from here.
 */
export const TIERS = ["e2e", "integration", "unit"] as const;
export type Tier = (typeof TIERS)[number];

/** The file-name suffix of each tier; a unit test is any `*.test.ts` that is neither of the others. */
export const TIER_SUFFIX: Record<Tier, string> = {
  e2e: ".e2e.test.ts",
  integration: ".int.test.ts",
  unit: ".test.ts",
};

/** A test file's tier, by its name. */
export const tierOf = (file: string): Tier =>
  file.endsWith(TIER_SUFFIX.e2e) ? "e2e" : file.endsWith(TIER_SUFFIX.integration) ? "integration" : "unit";
