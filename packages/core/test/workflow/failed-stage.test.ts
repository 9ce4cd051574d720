import { describe, expect, it } from "vitest";
import { type FailedStage, failedStageFromHistory, type StateEnteredEvent } from "../../src/workflow/failed-stage.ts";

const entered = (name: string, state: Record<string, unknown> = {}): StateEnteredEvent => ({
  type: "PassStateEntered",
  stateEnteredEventDetails: { name, input: JSON.stringify(state) },
});
const run = { date: "2026-11-20", mode: "extract" };

describe("failedStageFromHistory", () => {
  it.each<[string, StateEnteredEvent[], FailedStage | undefined]>([
    [
      "a caught error: the stage NotifyFailure received, and the error caught",
      [
        entered("Prepare", {}),
        entered("Extract", run),
        entered("Transform", run),
        entered("TransformFailed", run),
        entered("NotifyFailure", { ...run, failure: { stage: "Transform", Error: "TransformError" } }),
        entered("Failed", { ...run, failure: { stage: "Transform", Error: "TransformError" } }),
      ],
      { stage: "Transform", date: "2026-11-20", mode: "extract", error: "TransformError" },
    ],
    [
      "a crawler that never became READY",
      [
        entered("GetCrawler", run),
        entered("NotifyFailure", { ...run, mode: "reprocess", failure: { stage: "StartCrawler" } }),
      ],
      { stage: "StartCrawler", date: "2026-11-20", mode: "reprocess" },
    ],
    [
      "a run that timed out while polling the crawler (no Catch ran)",
      [
        entered("Prepare", {}),
        entered("StartCrawler", run),
        entered("WaitForCrawler", run),
        entered("GetCrawler", run),
      ],
      { stage: "StartCrawler", date: "2026-11-20", mode: "extract" },
    ],
    [
      "a run aborted inside the Transform map",
      [entered("Transform", run), entered("TransformEntity", { date: "2026-11-20", entity: "tracks" })],
      { stage: "Transform", date: "2026-11-20", mode: "extract" },
    ],
    [
      "invalid input",
      [
        entered("Prepare", {}),
        entered("InvalidInput", run),
        entered("NotifyFailure", { ...run, failure: { stage: "Prepare" } }),
      ],
      { stage: "Prepare", date: "2026-11-20", mode: "extract" },
    ],
    ["a history with no known state", [entered("A State")], undefined],
  ])("finds the stage to resume for %s", (_case, events, expected) => {
    expect(failedStageFromHistory(events)).toEqual(expected);
  });
});
