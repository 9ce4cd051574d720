import { describe, expect, it } from "vitest";
import { NAMED_QUERIES } from "../../src/cloud/named-queries.ts";
import { CURATED_TABLES } from "../../src/lake.ts";

const tablesIn = (sql: string): string[] =>
  [...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/gi)]
    .map((m) => m[1]!)
    .filter((name) => name !== "params" && name !== "run");

describe("NAMED_QUERIES", () => {
  it.each(NAMED_QUERIES.map((q) => [q.name, q] as const))(
    "%s takes the run date as its only parameter",
    (_name, query) => {
      expect(query.sql.match(/\?/g)).toHaveLength(1);
      expect(query.description).toContain("Parameter: dt");
    },
  );

  it.each(NAMED_QUERIES.map((q) => [q.name, q] as const))(
    "%s reads only curated tables, each filtered on dt",
    (_name, query) => {
      const ctes = [...query.sql.matchAll(/\b([a-z_]+)\s+AS\s*\(/gi)].map((m) => m[1]!);
      const tables = tablesIn(query.sql).filter((name) => !ctes.includes(name));

      expect(tables.length).toBeGreaterThan(0);
      for (const table of tables) expect(CURATED_TABLES).toContain(table);
      // Every table reference is joined or filtered on its dt partition, so no query scans the whole lake.
      const dtFilters = query.sql.match(/\bdt\s*=/g) ?? [];
      expect(dtFilters.length).toBeGreaterThanOrEqual(tables.length);
    },
  );
});
