import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigError,
  ExecutionNotFoundError,
  InputError,
  NoRawDataError,
  NotResumableError,
  QueryTimeoutError,
  SpotifyRateLimitError,
  SpotifyServerError,
  STATE_MACHINE_ERRORS,
  StorageError,
  TERMINAL_ERROR_NAMES,
  TRANSIENT_ERROR_NAMES,
  TunelakeError,
  ValidationFailedError,
} from "../src/errors.ts";
import { buildDefinition } from "../src/workflow/definition.ts";

/** Every error name the definition writes or matches, from Retry/Catch `ErrorEquals` and the failure Pass states. */
function errorNamesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) errorNamesIn(item, found);
  } else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "ErrorEquals" && Array.isArray(inner)) for (const name of inner) found.add(String(name));
      else if (key === "Error" && typeof inner === "string") found.add(inner);
      else errorNamesIn(inner, found);
    }
  }
  return found;
}

const ROOT = path.resolve(import.meta.dirname, "../../..");

/** The TypeScript files under `dir` (relative to the repository root), without dependencies and build output. */
function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ["node_modules", ".sst", "cdk.out", "dist"].includes(entry.name) ? [] : sources(rel);
    return entry.name.endsWith(".ts") ? [rel] : [];
  });
}

/**
 * `file:line` of each `throw new …Error(` whose first argument is not an object of fields (`{`, or a condition choosing
 * between objects: `a ? { … } : { … }`).
 */
function proseThrows(file: string): string[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  return [...text.matchAll(/throw new [A-Za-z]*Error\(\s*([\w.!\s]+\?\s*)?(.)/g)]
    .filter((m) => m[2] !== "{")
    .map((m) => `${file}:${text.slice(0, m.index).split("\n").length}`);
}

/** Names of the services' own errors (Step Functions, Lambda, Glue, Athena, SNS), which have no class of ours. */
const SERVICE_ERROR = /^(States|Lambda|Runtime|Glue|Athena|SNS)\./;

describe("errors", () => {
  it("has a class for every error name the state machine matches or raises", () => {
    // Act
    const named = [...errorNamesIn(buildDefinition())].filter((name) => !SERVICE_ERROR.test(name));

    // Assess
    const classes = STATE_MACHINE_ERRORS.map((c) => c.name);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !classes.includes(name as never))).toEqual([]);
  });

  it("has every throw of an error pass an object of fields, whose class builds the message", () => {
    // Act
    const files = [...readdirSync(path.join(ROOT, "packages")).map((p) => `packages/${p}/src`), "stacks", "bench"]
      .flatMap(sources)
      .map((file) => file.split(path.sep).join("/"));
    const prose = files.flatMap(proseThrows);

    // Assess
    expect(files.length).toBeGreaterThan(100);
    expect(prose).toEqual([]);
  });

  it("derives the transient and terminal lists from the classes, each class in exactly one", () => {
    // Assess
    expect([...TRANSIENT_ERROR_NAMES].sort()).toEqual(
      STATE_MACHINE_ERRORS.filter((c) => c.transient)
        .map((c) => c.name)
        .sort(),
    );
    expect(TRANSIENT_ERROR_NAMES).toEqual(expect.arrayContaining(["SpotifyRateLimitError", "StorageError"]));
    expect(TERMINAL_ERROR_NAMES).toEqual(expect.arrayContaining(["ConfigError", "ValidationFailedError"]));
    expect(TRANSIENT_ERROR_NAMES.filter((n) => TERMINAL_ERROR_NAMES.includes(n))).toEqual([]);
    expect(TRANSIENT_ERROR_NAMES.length + TERMINAL_ERROR_NAMES.length).toBe(STATE_MACHINE_ERRORS.length);
  });

  it("gives every instance its class's name and class data", () => {
    // Act
    const errors = [
      new SpotifyRateLimitError({ endpoint: "GET /artists", attempts: 7, retryAfterSeconds: 3 }),
      new SpotifyServerError({ reason: "requestFailed", endpoint: "GET /artists", attempts: 7, problem: "HTTP 503" }),
      new StorageError({ reason: "failed", action: "read", key: "k", location: "s3://raw", problem: "503" }),
      new ConfigError({ reason: "configInvalid", origin: "config", issues: ["sources.artists[0]: not an id"] }),
      new InputError({ reason: "runDate", date: "x" }),
      new ValidationFailedError({ date: "2026-11-21", failed: ["unique_tracks=2"], queryExecutionId: "q-1" }),
    ];
    const refused = new NotResumableError({
      name: "2026-11-21",
      reason: "status",
      status: "RUNNING",
      date: "2026-11-21",
      redrivable: ["FAILED"],
    });
    const slow = new QueryTimeoutError({ timeoutMs: 1000 });

    // Assess
    expect(errors.map((e) => [e.name, e.transient, e.badInput])).toEqual([
      ["SpotifyRateLimitError", true, false],
      ["SpotifyServerError", true, false],
      ["StorageError", true, false],
      ["ConfigError", false, true],
      ["InputError", false, true],
      ["ValidationFailedError", false, false],
    ]);
    for (const error of errors) expect(error).toBeInstanceOf(TunelakeError);
    expect(errors[3]?.message).toBe(
      "config is invalid; fix these entries and run again:\n  - sources.artists[0]: not an id",
    );
    expect(errors.map((e) => e.httpStatus)).toEqual([500, 500, 500, 400, 400, 500]);
    expect([refused.httpStatus, slow.httpStatus]).toEqual([409, 504]);
    expect([errors[3], errors[4]].map((e) => (e as ConfigError | InputError).reason)).toEqual([
      "configInvalid",
      "runDate",
    ]);
  });

  it("builds messages from fields, saying what to do next", () => {
    // Act
    const noRaw = new NoRawDataError({ date: "2026-11-21", location: "/lake/raw", manifest: "m.json" });
    const notFound = new ExecutionNotFoundError({
      name: "2026-11-21-3",
      location: "/home/executions",
      listCommand: "tunelake executions",
    });

    // Assess
    expect(noRaw.message).toBe(
      "No raw data for run date 2026-11-21 in /lake/raw (no m.json): extract it first with `tunelake run --date 2026-11-21` (without --reprocess), or check the date.",
    );
    expect([noRaw.date, noRaw.badInput]).toEqual(["2026-11-21", true]);
    expect(notFound.message).toBe(
      'No execution named "2026-11-21-3" in /home/executions. List them with: tunelake executions',
    );
    expect([notFound.execution, notFound.badInput, notFound.transient]).toEqual(["2026-11-21-3", true, false]);
    expect([notFound.httpStatus, noRaw.httpStatus]).toEqual([404, 400]);
  });
});
