import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOG_TABLES, CURATED_TABLE_DEFINITIONS } from "../../src/transform/curated-tables.ts";
import { renderTablesDoc, TABLES_DOC_PATH } from "../../src/transform/tables-doc.ts";

const REPO = path.resolve(import.meta.dirname, "../../../..");

describe("docs/tables.md", () => {
  it("is what the table definitions render (run `npm run docs:tables` after changing curated-tables.ts)", async () => {
    const stored = await readFile(path.join(REPO, TABLES_DOC_PATH), "utf8");
    expect(stored).toBe(renderTablesDoc());
  });

  it("names every table with its kind and key, and every column with its type and access", () => {
    const doc = renderTablesDoc();
    for (const name of CATALOG_TABLES) {
      const table = CURATED_TABLE_DEFINITIONS[name];
      expect(doc).toContain(`### ${name}`);
      expect(doc).toContain(`- kind: **${table.kind}**`);
      for (const c of table.columns)
        expect(doc).toMatch(new RegExp(`\\| \`${c.name}\` \\| [^|]+ \\| ${c.access ?? "all"} \\|`));
    }
  });
});
