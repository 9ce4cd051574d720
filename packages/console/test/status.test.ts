import type { HistoryEvent } from "@tunelake/core/ports";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { describe, expect, it } from "vitest";
import { localDefinition } from "../src/definition.ts";
import { stateStatuses } from "../src/status.ts";

/** A small machine with every outcome: a retried task, a caught one, a Map, a failure recorder, a Fail. */
const definition: StateMachineDefinition = {
  StartAt: "Fetch",
  States: {
    Fetch: { Type: "Task", Resource: "arn:fetch", Retry: [{ ErrorEquals: ["States.ALL"] }], Next: "Each" },
    Each: {
      Type: "Map",
      ItemProcessor: { StartAt: "One", States: { One: { Type: "Task", Resource: "arn:one", End: true } } },
      Next: "Crawl",
    },
    Crawl: {
      Type: "Task",
      Resource: "arn:crawl",
      Catch: [{ ErrorEquals: ["States.ALL"], Next: "Record" }],
      Next: "Done",
    },
    Record: { Type: "Pass", ResultPath: "$.failure", Next: "Failed" },
    Failed: { Type: "Fail" },
    Done: { Type: "Succeed" },
  },
};

/** Builds an AWS-shaped history, one second per event. */
function history(...steps: [string, Record<string, unknown>?][]): HistoryEvent[] {
  return steps.map(([type, details], i) => ({
    id: i + 1,
    previousEventId: i,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    type,
    ...(details ?? {}),
  }));
}
const entered = (type: string, name: string, input: unknown = {}) =>
  [`${type}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } }] as [
    string,
    Record<string, unknown>,
  ];
const exited = (type: string, name: string, output: unknown = {}) =>
  [`${type}StateExited`, { stateExitedEventDetails: { name, output: JSON.stringify(output) } }] as [
    string,
    Record<string, unknown>,
  ];
const scheduled: [string] = ["TaskScheduled"];
const failed = (error: string, cause: string): [string, Record<string, unknown>] => [
  "TaskFailed",
  { taskFailedEventDetails: { error, cause } },
];

const byName = (events: HistoryEvent[]) => new Map(stateStatuses(definition, events).map((s) => [s.name, s]));

describe("stateStatuses", () => {
  const failedRun = history(
    ["ExecutionStarted"],
    entered("Task", "Fetch", { date: "2026-01-01" }),
    scheduled,
    failed("Lambda.TooManyRequestsException", "slow down"),
    scheduled,
    ["TaskSucceeded"],
    exited("Task", "Fetch", { fetched: 3 }),
    entered("Map", "Each"),
    entered("Task", "One"),
    scheduled,
    exited("Task", "One"),
    entered("Task", "One"),
    scheduled,
    exited("Task", "One"),
    exited("Map", "Each"),
    entered("Task", "Crawl"),
    scheduled,
    failed("CrawlerFailedError", "the crawl failed"),
    exited("Task", "Crawl", { error: { Error: "CrawlerFailedError" } }),
    entered("Pass", "Record", { error: { Error: "CrawlerFailedError" } }),
    exited("Pass", "Record", { failure: { stage: "Crawl", Error: "CrawlerFailedError", Cause: "the crawl failed" } }),
    entered("Fail", "Failed", { failure: { stage: "Crawl" } }),
    ["ExecutionFailed", { executionFailedEventDetails: { error: "CrawlerFailedError", cause: "the crawl failed" } }],
  );

  it("tells retried, succeeded, caught, failed and not reached apart, with retries, input, output and error", () => {
    const s = byName(failedRun);
    expect(s.get("Fetch")).toMatchObject({
      outcome: "retried",
      retries: 1,
      input: { date: "2026-01-01" },
      output: { fetched: 3 },
      error: "Lambda.TooManyRequestsException",
      durationMs: 5000,
    });
    expect(s.get("Each")).toMatchObject({ outcome: "succeeded", retries: 0 });
    expect(s.get("One")).toMatchObject({ outcome: "succeeded", entered: 2 });
    expect(s.get("Crawl")).toMatchObject({ outcome: "caught", error: "CrawlerFailedError", cause: "the crawl failed" });
    expect(s.get("Record")).toMatchObject({ outcome: "failed", error: "CrawlerFailedError" });
    expect(s.get("Failed")?.outcome).toBe("failed");
    expect(s.get("Done")?.outcome).toBe("not-reached");
  });

  it("a state still open is running while the execution goes on, failed once it has failed", () => {
    const going = history(["ExecutionStarted"], entered("Task", "Fetch"), scheduled);
    expect(byName(going).get("Fetch")?.outcome).toBe("running");
    const broken = [
      ...going,
      ...history(failed("Boom", "it broke"), [
        "ExecutionFailed",
        { executionFailedEventDetails: { error: "Boom", cause: "it broke" } },
      ]).map((e, i) => ({ ...e, id: going.length + i + 1 })),
    ];
    expect(byName(broken).get("Fetch")).toMatchObject({ outcome: "failed", error: "Boom" });
  });

  it("after a redrive what failed before is not reached until the redrive runs it, and what succeeded stays", () => {
    const redriven = [
      ...failedRun,
      ...history(
        ["ExecutionRedriven", { executionRedrivenEventDetails: { redriveCount: 1 } }],
        entered("Task", "Crawl"),
        scheduled,
        ["TaskSucceeded"],
        exited("Task", "Crawl"),
        entered("Succeed", "Done"),
        exited("Succeed", "Done"),
        ["ExecutionSucceeded"],
      ),
    ];
    const s = byName(redriven);
    expect(s.get("Fetch")?.outcome).toBe("retried");
    expect(s.get("Crawl")?.outcome).toBe("succeeded");
    expect(s.get("Record")?.outcome).toBe("not-reached");
    expect(s.get("Failed")?.outcome).toBe("not-reached");
    expect(s.get("Done")?.outcome).toBe("succeeded");
  });

  it("covers every state of the pipeline's definition, the Map's inner states included", () => {
    const names = stateStatuses(localDefinition(), []).map((s) => s.name);
    expect(names).toContain("TransformEntity");
    expect(names).toContain("StartCrawler");
    expect(new Set(stateStatuses(localDefinition(), []).map((s) => s.outcome))).toEqual(new Set(["not-reached"]));
  });
});
