/**
 * The docs that list the `--inject-fault` faults follow the registry (src/faults/index.ts): a fault added there without
 * its README entry and its RELIABILITY.md row fails here, and so does a doc naming a fault the registry lacks.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FAULT_NAMES } from "../src/faults/index.ts";

const REPO = path.resolve(import.meta.dirname, "../../..");
const read = (file: string) => readFile(path.join(REPO, file), "utf8");
/** The fault names a text gives after `--inject-fault` (a name has a dash: prose such as "--inject-fault and" is not one). */
const injected = (text: string) => [...text.matchAll(/--inject-fault ([a-z0-9]+-[a-z0-9-]+)/g)].map((m) => m[1]);
/** RELIABILITY.md's "Unknown fault" row names a fault that does not exist, on purpose. */
const REFUSAL_EXAMPLE = "disk-full";

describe("the fault docs follow the fault registry", () => {
  it("lists every fault in the README's 'Try the failure paths locally', in the registry's order", async () => {
    // Prepare
    const readme = await read("README.md");
    const start = readme.indexOf("Try the failure paths locally:");
    const paragraph = readme.slice(start, readme.indexOf("\n\n", start));

    // Act
    const listed = [...paragraph.matchAll(/`([a-z0-9]+-[a-z0-9-]+)`/g)].map((m) => m[1]);

    // Assess
    expect(start).toBeGreaterThan(-1);
    expect(listed).toEqual(FAULT_NAMES);
  });

  it("has a RELIABILITY.md row with `--inject-fault NAME` for every fault", async () => {
    // Prepare
    const rows = (await read("RELIABILITY.md")).split("\n").filter((line) => /^\| \d+ \|/.test(line));

    // Act
    const covered = new Set(rows.flatMap(injected));

    // Assess
    expect(FAULT_NAMES.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(["README.md", "RELIABILITY.md", "docs/operations.md"])("names only registered faults in %s", async (file) => {
    // Act
    const named = injected(await read(file)).filter((name) => name !== REFUSAL_EXAMPLE);

    // Assess
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !(FAULT_NAMES as readonly string[]).includes(name ?? ""))).toEqual([]);
  });
});
