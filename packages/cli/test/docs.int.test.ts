/**
 * Doc lines that state facts the code decides (issue 27, "small falsehoods"): each is checked against the code or the
 * clean sample run, so that the doc changes when the fact does.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { CATALOG_TABLES } from "@tunelake/core/transform/curated-tables";
import { describe, expect, it } from "vitest";
import { REPO, tunelake } from "./helpers.ts";
import { cleanRun } from "./reliability/harness.ts";

const read = (file: string) => readFile(path.join(REPO, file), "utf8");

/** Each shell line of the fenced `sh` blocks of a Markdown text, with its line number. */
function shellLines(text: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let inShell = false;
  let inFence = false;
  text.split("\n").forEach((line, index) => {
    if (line.startsWith("```")) {
      inShell = !inFence && /^```(sh|bash|shell)\s*$/.test(line);
      inFence = !inFence;
      return;
    }
    if (inShell && !line.trimStart().startsWith("#")) out.push({ line: index + 1, text: line.replace(/\s#.*$/, "") });
  });
  return out;
}

describe("the docs say what the code does", () => {
  it.each(["README.md", "docs/deploy.md", "docs/operations.md", "docs/snowflake.md", "docs/console.md"])(
    "has no placeholder in a shell block of %s that fails when pasted (<x> redirects, [--opt] is taken literally, … and ... are values)",
    async (file) => {
      const bad = shellLines(await read(file)).filter(({ text }) => /(^|[^<])<[A-Za-z]|\[--|…|=\.\.\./.test(text));
      expect(bad).toEqual([]);
    },
  );

  it("shows the shipped tunelake.config.json as the README's config example", async () => {
    // Prepare
    const readme = await read("README.md");
    const section = readme.slice(readme.indexOf("## Configuration: `tunelake.config.json`"));
    const example = /```json\n([\s\S]*?)```/.exec(section)?.[1];

    // Assess
    expect(JSON.parse(example ?? "null")).toEqual(JSON.parse(await read("tunelake.config.json")));
  });

  it("counts the table prefixes of docs/snowflake.md as the DDL lists them", async () => {
    // Act
    const ddl = await tunelake([
      "snowflake",
      "ddl",
      "--role-arn",
      "arn:aws:iam::123456789012:role/r",
      "--bucket",
      "prod-tunelake-curated",
    ]);
    expect(ddl.code, ddl.stderr).toBe(0);
    const locations = /STORAGE_ALLOWED_LOCATIONS = \(([^)]*)\)/.exec(ddl.stdout)?.[1]?.split(",") ?? [];

    // Assess
    const doc = await read("docs/snowflake.md");
    expect(locations).toHaveLength(CATALOG_TABLES.length);
    expect(doc).toContain(`STORAGE_ALLOWED_LOCATIONS\` = the ${locations.length} table prefixes`);
  });

  it("documents top_items.item_type with the values the lake holds", async () => {
    // Act
    const result = await tunelake([
      "--home",
      (await cleanRun()).home,
      "--json",
      "query",
      "SELECT DISTINCT item_type FROM top_items ORDER BY 1",
    ]);

    // Assess
    const values = (JSON.parse(result.stdout) as { item_type: string }[]).map((r) => r.item_type);
    expect(values).toEqual(["artist", "track"]);
    const doc = await read("docs/tables.md");
    expect(doc).toContain("| `item_type` | string | user | track or artist |");
  });
});
