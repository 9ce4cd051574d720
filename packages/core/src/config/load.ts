import { readFile } from "node:fs/promises";
import path from "node:path";
import * as v from "valibot";
import { ConfigError } from "../errors.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/** Turns valibot issues into lines that name the offending path, e.g. `sources.artists[2]: "abc" is not a Spotify id`. */
export function formatIssues(issues: readonly v.BaseIssue<unknown>[]): string[] {
  return issues.map((issue) => {
    const where = (issue.path ?? [])
      .map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`))
      .join("")
      .replace(/^\./, "");
    // valibot says "Invalid key: Expected never" for a key a strict object does not allow.
    const message =
      issue.kind === "schema" && issue.expected === "never"
        ? "unknown key; check its spelling (see tunelake.schema.json)"
        : issue.message;
    return `${where || "(root)"}: ${message}`;
  });
}

/** Validates a parsed config object. Throws ConfigError listing every problem. */
export function parseConfig(input: unknown, origin = "config"): Config {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError({ reason: "configNotObject", origin });
  }
  const result = v.safeParse(ConfigSchema, input);
  if (!result.success) {
    throw new ConfigError({ reason: "configInvalid", origin, issues: formatIssues(result.issues) });
  }
  return result.output;
}

/** Reads and validates a config file. Throws ConfigError for a missing file, bad JSON or schema violations. */
export async function loadConfig(file: string): Promise<Config> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = await readFile(resolved, "utf8");
  } catch (error) {
    throw new ConfigError(
      { reason: "configUnreadable", file: resolved, problem: (error as Error).message },
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      { reason: "configNotJson", file: resolved, problem: (error as Error).message },
      { cause: error },
    );
  }
  return parseConfig(json, `Config file ${resolved}`);
}
