/** Writing JSON files that readers (other runs, queries) may open at any moment. */
import { randomUUID } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";

/**
 * Writes `value` as pretty JSON to a temp file of its own, then renames it over `path`: a reader never sees half a
 * file, and two writers in one process (runs of different dates) never share a temp file.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}
