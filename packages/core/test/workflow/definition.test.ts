import { createRequire } from "node:module";
import { LOCAL_SUBSTITUTIONS, localDefinition } from "@tunelake/local/engine";
import { describe, expect, it } from "vitest";
import { checkNames } from "../../src/checks/checks-sql.ts";
import { DEFAULT_FRESHNESS_TOLERANCE_DAYS } from "../../src/config/schema.ts";
import { TRANSIENT_ERROR_NAMES } from "../../src/errors.ts";
import { TRANSFORM_ENTITY_NAMES } from "../../src/lake.ts";
import {
  buildDefinition,
  DEFINITION_SUBSTITUTIONS,
  definitionJson,
  renderDefinition,
} from "../../src/workflow/definition.ts";
import type { StateDefinition } from "../../src/workflow/state-names.ts";

type States = Record<string, StateDefinition>;

// asl-validator ships no type declarations: type the one call we make.
const aslValidator = createRequire(import.meta.url)("asl-validator") as (
  definition: unknown,
  options: { checkArn: boolean; checkPaths: boolean },
) => { isValid: boolean; errorsText: (separator: string) => string };

/** Every state, including those inside Map item processors. */
function allStates(states: States): [string, StateDefinition][] {
  return Object.entries(states).flatMap(([name, state]) => {
    const processor = state.ItemProcessor as { States: States } | undefined;
    return [[name, state] as [string, StateDefinition], ...(processor ? allStates(processor.States) : [])];
  });
}

const definition = buildDefinition();
const states = definition.States;
const tasks = allStates(states).filter(([, s]) => s.Type === "Task");

describe("state machine definition", () => {
  it.each([
    ["with placeholders", JSON.parse(definitionJson())],
    ["rendered with ARNs", renderDefinition(LOCAL_SUBSTITUTIONS)],
  ])("validates with asl-validator (%s)", (_label, asl) => {
    // Act
    const { isValid, errorsText } = aslValidator(asl, { checkArn: true, checkPaths: true });

    // Assess
    expect(errorsText("\n")).toBe("");
    expect(isValid).toBe(true);
  });

  it.each([
    ["Prepare", "Pass"],
    ["Extract", "Task"],
    ["Transform", "Map"],
    ["StartCrawler", "Task"],
    ["WaitForCrawler", "Wait"],
    ["GetCrawler", "Task"],
    ["Validate", "Task"],
    ["GetValidationResults", "Task"],
    ["NotifyFailure", "Task"],
    ["Failed", "Fail"],
    ["Succeeded", "Succeed"],
  ])("has the contract state %s of type %s", (name, type) => {
    expect(states[name]?.Type).toBe(type);
  });

  it("starts at Prepare", () => {
    expect(definition.StartAt).toBe("Prepare");
  });

  it.each([
    ["Extract", "arn:aws:states:::lambda:invoke"],
    ["StartCrawler", "arn:aws:states:::aws-sdk:glue:startCrawler"],
    ["GetCrawler", "arn:aws:states:::aws-sdk:glue:getCrawler"],
    ["Validate", "arn:aws:states:::athena:startQueryExecution.sync"],
    ["GetValidationResults", "arn:aws:states:::aws-sdk:athena:getQueryResults"],
    ["NotifyFailure", "arn:aws:states:::sns:publish"],
  ])("%s uses %s", (name, resource) => {
    expect(states[name]?.Resource).toBe(resource);
  });

  it.each(tasks)("Task %s has Retry with backoff and full jitter, and a catch-all Catch", (_name, task) => {
    // Prepare
    const retry = task.Retry as {
      ErrorEquals: string[];
      BackoffRate: number;
      MaxDelaySeconds: number;
      JitterStrategy: string;
    }[];
    const catchers = task.Catch as { ErrorEquals: string[]; Next: string }[];

    // Assess
    expect(retry.length).toBeGreaterThan(0);
    for (const r of retry) {
      expect(r).toMatchObject({ JitterStrategy: "FULL" });
      expect(r.BackoffRate).toBeGreaterThan(1);
      expect(r.MaxDelaySeconds).toBeGreaterThan(0);
      expect(r.ErrorEquals).not.toContain("States.ALL");
    }
    expect(catchers.some((c) => c.ErrorEquals.includes("States.ALL"))).toBe(true);
  });

  it("retries Lambda service errors and the project's transient errors on the Lambda tasks, not terminal ones", () => {
    for (const name of ["Extract", "TransformEntity"]) {
      const [, task] = tasks.find(([n]) => n === name)!;
      const retried = (task.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect(retried).toEqual(
        expect.arrayContaining([
          ...TRANSIENT_ERROR_NAMES,
          "Lambda.ServiceException",
          "Lambda.TooManyRequestsException",
          "Lambda.ClientExecutionTimeoutException",
        ]),
      );
      expect(retried).not.toContain("SpotifyQuotaExceededError");
    }
  });

  it("catches every top-level Task into a Pass that records the stage, then NotifyFailure, then Failed", () => {
    for (const [name, task] of Object.entries(states).filter(([n, s]) => s.Type === "Task" && n !== "NotifyFailure")) {
      const catchAll = (task.Catch as { ErrorEquals: string[]; Next: string }[]).find((c) =>
        c.ErrorEquals.includes("States.ALL"),
      )!;
      const recorder = states[catchAll.Next]!;
      expect(recorder.Type, name).toBe("Pass");
      expect(recorder.ResultPath).toBe("$.failure");
      expect(recorder.Next).toBe("NotifyFailure");
    }
    expect(states.NotifyFailure?.Next).toBe("Failed");
  });

  it("raises the caught error behind the notified marker after NotifyFailure, and unmarked when the publish failed", () => {
    const failures = Object.entries(states).filter(([, s]) => s.Type === "Pass" && s.ResultPath === "$.failure");

    expect(failures.length).toBeGreaterThanOrEqual(8);
    for (const [name, state] of failures) {
      const params = state.Parameters as Record<string, string>;
      const raised = params.Raised ?? params["Raised.$"];
      expect(raised, name).toMatch(/^(Notified\.|States\.Format\('Notified\.\{\}', \$\.error\.Error\))/);
      if (params.Error) expect(params.Raised, name).toBe(`Notified.${params.Error}`);
    }
    expect(states.Failed).toMatchObject({ Type: "Fail", ErrorPath: "$.failure.Raised" });
    const notifyCatch = (states.NotifyFailure!.Catch as { Next: string }[])[0];
    expect(notifyCatch?.Next).toBe("NotificationFailed");
    expect(states.NotificationFailed).toMatchObject({ Type: "Fail", ErrorPath: "$.failure.Error" });
  });

  it("fails Validate without reading rows that are not there when the checks query returns too few rows", () => {
    const choices = states.CheckValidation?.Choices as Record<string, unknown>[];

    expect(choices[0]).toMatchObject({
      Not: { Variable: "$.validation.results.rows[3].Data[1].VarCharValue", IsPresent: true },
      Next: "ValidationIncomplete",
    });
    // One row per check: a healthy query always has row 3.
    expect(checkNames().length).toBeGreaterThanOrEqual(3);
    // ValidationFailed names rows 1 to 3 only: it is reached only when row 3 exists.
    const cause = String((states.ValidationFailed!.Parameters as Record<string, string>)["Cause.$"]);
    expect(cause.match(/rows\[(\d+)\]/g)?.every((ref) => Number(ref.slice(5, -1)) <= 3)).toBe(true);
    expect(JSON.stringify(states.ValidationIncomplete?.Parameters)).not.toContain("rows[");
    expect(states.ValidationIncomplete?.Next).toBe("NotifyFailure");
  });

  it("sends Glue.CrawlerRunningException to the wait loop", () => {
    const catchers = states.StartCrawler?.Catch as { ErrorEquals: string[]; Next: string }[];
    expect(catchers[0]).toMatchObject({ ErrorEquals: ["Glue.CrawlerRunningException"], Next: "WaitForCrawler" });
  });

  it("after Glue.CrawlerRunningException waits for that crawl to end, then starts the crawler again", () => {
    const catcher = (states.StartCrawler!.Catch as { ErrorEquals: string[]; ResultPath: string }[])[0]!;
    const first = (states.CheckCrawler!.Choices as { Next: string }[])[0];

    expect(catcher.ResultPath).toBe("$.crawlerRunning");
    expect(JSON.stringify(first)).toContain('"Variable":"$.crawlerRunning.Error","IsPresent":true');
    expect(JSON.stringify(first)).toContain('"StringEquals":"READY"');
    expect(first?.Next).toBe("RestartCrawler");
    expect(states.RestartCrawler).toMatchObject({ Type: "Pass", ResultPath: "$.crawlerRunning", Next: "StartCrawler" });
    // The restart replaces the caught error, so the next READY goes on to the crawl's own status.
    expect(JSON.stringify(states.RestartCrawler?.Parameters)).not.toContain('"Error"');
  });

  it("maps Transform over the transform entities", () => {
    const prepare = JSON.stringify(states.Prepare?.Parameters);
    expect(prepare).toContain(JSON.stringify(TRANSFORM_ENTITY_NAMES));
    expect(states.Transform?.ItemsPath).toBe("$.entities");
  });

  it("loops Extract until done: a Choice, a Wait on the slice's waitSeconds, a bounded States.MathAdd counter", () => {
    // Assess
    expect(states.Extract?.Next).toBe("CheckExtract");
    const choices = states.CheckExtract?.Choices as Record<string, unknown>[];
    expect(choices[0]).toMatchObject({ Variable: "$.extract.done", BooleanEquals: true, Next: "Transform" });
    expect(choices[1]).toMatchObject({ NumericGreaterThanEquals: 40, Next: "ExtractSliceLimitReached" });
    expect(states.WaitForSpotify).toMatchObject({ Type: "Wait", SecondsPath: "$.extract.waitSeconds" });
    expect(JSON.stringify(states.CountExtractSlice?.Parameters)).toContain("States.MathAdd($.extractSlices.count, 1)");
    expect(states.CountExtractSlice?.Next).toBe("Extract");
    expect(states.ExtractSliceLimitReached?.Next).toBe("NotifyFailure");
    expect(buildDefinition({ extractSliceLimit: 3 }).States.CheckExtract?.Choices).toContainEqual(
      expect.objectContaining({ NumericGreaterThanEquals: 3 }),
    );
  });

  it("honours the crawler poll limit option", () => {
    const choice = JSON.stringify(buildDefinition({ crawlerPollLimit: 7 }).States.CheckCrawler);
    expect(choice).toContain('"NumericGreaterThanEquals":7');
  });

  it("puts the config's freshness tolerance into Validate's query, locally as on AWS", () => {
    // Act
    const validate = (definition: object) => JSON.stringify(definition);
    // Assess: the default, the deployed definition's option, and the local engine's (the config's value).
    expect(validate(buildDefinition())).toContain(`INTERVAL '${DEFAULT_FRESHNESS_TOLERANCE_DAYS}' DAY`);
    expect(validate(buildDefinition({ freshnessToleranceDays: 9 }))).toContain("INTERVAL '9' DAY");
    expect(validate(localDefinition(20, 9))).toContain("INTERVAL '9' DAY");
    expect(validate(localDefinition(20, 9))).not.toContain(`INTERVAL '${DEFAULT_FRESHNESS_TOLERANCE_DAYS}' DAY`);
  });

  it("has a placeholder for every substitution and nothing left after rendering", () => {
    // Prepare
    const json = definitionJson();

    // Act
    const rendered = JSON.stringify(renderDefinition(LOCAL_SUBSTITUTIONS));

    // Assess
    for (const name of DEFINITION_SUBSTITUTIONS) expect(json).toContain(`\${${name}}`);
    expect(rendered).not.toMatch(/\$\{[A-Za-z]+\}/);
    expect(rendered).toContain(LOCAL_SUBSTITUTIONS.ExtractFunctionArn);
  });
});
