import { describe, expect, it } from "vitest";
import { RAW_ENTITIES } from "../../src/lake.ts";
import { refsOf, rejectsModel, STAGING_NAMES, TABLES, tableModel } from "../../src/tables/index.ts";

/** Names a model may ref besides staging models: raw tables, and what the transform provides (other_plays). */
const PROVIDED = new Set(["other_plays", ...RAW_ENTITIES.map((e) => `raw_${e}`)]);

describe("the table registry", () => {
  it("declares each table once, with its key among its columns", () => {
    // Assess
    const names = TABLES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const table of TABLES) {
      const columns = table.columns.map((c) => c.name);
      expect(table.key.length, table.name).toBeGreaterThan(0);
      for (const key of table.key) expect(columns, `${table.name} key ${key}`).toContain(key);
    }
  });

  it.each(TABLES.map((t) => [t.name]))("%s: every name its model refs is a raw table or a staging model", (name) => {
    // Act
    const refs = [...refsOf([name])];

    // Assess
    expect(tableModel(name).refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(PROVIDED.has(ref) || STAGING_NAMES.includes(ref), `${name} refs ${ref}`).toBe(true);
    const rejects = rejectsModel(name);
    if (rejects) for (const ref of rejects.refs) expect(PROVIDED.has(ref), `${name} rejects from ${ref}`).toBe(true);
  });

  it("points every reference at a declared table and column", () => {
    // Assess
    for (const table of TABLES) {
      for (const reference of table.references ?? []) {
        const to = TABLES.find((t) => t.name === reference.to);
        expect(to, `${table.name} -> ${reference.to}`).toBeDefined();
        expect(to?.columns.map((c) => c.name)).toContain(reference.toColumn);
        expect(table.columns.map((c) => c.name)).toContain(reference.column);
      }
    }
  });
});
