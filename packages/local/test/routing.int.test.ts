import "../src/polyfills.ts";
import { TRANSFORM_ENTITY_NAMES } from "@tunelake/core/lake";
import { renderDefinition } from "@tunelake/core/workflow/definition";
import { StateMachine } from "aws-local-stepfunctions";
import { describe, expect, it } from "vitest";
import { LOCAL_SUBSTITUTIONS } from "../src/engine.ts";

/**
 * Prepare, ApplyInput and Route of the real definition, run by the interpreter; every stage they can lead to is
 * replaced by a Pass that reports where the run went and with what state.
 */
async function route(input: Record<string, unknown>): Promise<{ went: string; state: Record<string, unknown> }> {
  const full = renderDefinition(LOCAL_SUBSTITUTIONS);
  const targets = ["Extract", "Transform", "StartCrawler", "Validate", "InvalidInput"];
  const States: Record<string, unknown> = {
    Prepare: full.States.Prepare,
    ApplyInput: full.States.ApplyInput,
    Route: full.States.Route,
  };
  for (const t of targets) States[t] = { Type: "Pass", Parameters: { went: t, "state.$": "$" }, End: true };
  const machine = new StateMachine({ StartAt: "Prepare", States } as never);
  return (await machine.run(input as never).result) as never;
}

describe("Prepare and Route", () => {
  it("defaults the run date to the execution's start date (UTC) and the mode to extract", async () => {
    // Act
    const { went, state } = await route({});

    // Assess
    expect(went).toBe("Extract");
    expect(state).toEqual({
      date: new Date().toISOString().slice(0, 10),
      mode: "extract",
      resumeFrom: "none",
      refetch: false,
      entities: TRANSFORM_ENTITY_NAMES,
      crawler: { polls: 0 },
      extractSlices: { count: 0 },
    });
  });

  it("keeps the input's date and does not let the input replace the entities or the poll counter", async () => {
    // Act
    const { state } = await route({ date: "2026-11-21", entities: ["x"], crawler: { polls: 99 } });

    // Assess
    expect(state).toMatchObject({ date: "2026-11-21", entities: TRANSFORM_ENTITY_NAMES, crawler: { polls: 0 } });
  });

  it.each([
    [{ mode: "reprocess" }, "Transform"],
    [{ resumeFrom: "Extract" }, "Extract"],
    [{ resumeFrom: "Transform" }, "Transform"],
    [{ resumeFrom: "StartCrawler" }, "StartCrawler"],
    [{ resumeFrom: "Validate", mode: "reprocess" }, "Validate"],
    [{ resumeFrom: "Load" }, "InvalidInput"],
    [{ mode: "backfill" }, "InvalidInput"],
  ])("routes %j to %s", async (input, target) => {
    // Act
    const { went } = await route({ date: "2026-11-21", ...input });

    // Assess
    expect(went).toBe(target);
  });
});
