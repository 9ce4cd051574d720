/**
 * Hostile input to the AWS adapter (README, "Hostile input"): an execution name outside the one pattern of names is
 * refused as bad input before the stage is even resolved, so it never reaches an ARN or an API call.
 */
import { InputError } from "@tunelake/core/errors";
import { describe, expect, it } from "vitest";
import { createAwsRuns } from "../src/runs.ts";

describe("execution names on a stage", () => {
  // A stage that cannot be resolved: any call that got as far as the stage would fail differently.
  const runs = createAwsRuns({
    stage: "no-such-stage",
    root: "/nonexistent",
    outputsFile: "/nonexistent/outputs.json",
  });

  it.each([
    ["history", (name: string) => runs.history(name)],
    ["describe", (name: string) => runs.describe(name)],
    ["redrive", (name: string) => runs.redrive(name)],
    ["abort", (name: string) => runs.abort(name)],
  ])("%s refuses ../../x as bad input before resolving the stage", async (_what, call) => {
    // Act
    const error = await call("../../x").catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InputError);
    expect(String(error)).toContain("is not an execution name");
  });
});
