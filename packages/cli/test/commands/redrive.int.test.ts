import { afterAll, describe, expect, it } from "vitest";
import { tunelake } from "../helpers.ts";
import { CLEAN_RUN_DATE, cleanRun, copyCleanHome, tempHomes } from "../reliability/harness.ts";

const { newHome, cleanupAll } = tempHomes();
afterAll(cleanupAll);

describe("tunelake redrive of an execution that cannot be redriven", () => {
  it("refuses a SUCCEEDED run before any Spotify source starts: no SAMPLE DATA banner, exit 2", async () => {
    // Prepare
    const home = await copyCleanHome(await newHome("redrive-succeeded"));
    expect((await cleanRun()).date).toBe(CLEAN_RUN_DATE);

    // Act
    const result = await tunelake(["--home", home, "redrive", CLEAN_RUN_DATE]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`cannot be redriven: it is SUCCEEDED.*npx tunelake run --date ${CLEAN_RUN_DATE}`),
    );
    expect(result.stderr).not.toContain("SAMPLE DATA");
  });
});
