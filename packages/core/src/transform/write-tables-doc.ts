/** `npm run docs:tables`: writes docs/tables.md from the curated table definitions. */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { renderTablesDoc, TABLES_DOC_PATH } from "./tables-doc.ts";

const file = path.resolve(import.meta.dirname, "../../../..", TABLES_DOC_PATH);
await writeFile(file, renderTablesDoc());
process.stdout.write(`wrote ${file}\n`);
