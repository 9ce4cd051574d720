import { mkdtemp, readdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { type RawEntity, rawKey } from "../../src/lake.ts";
import { FsObjectStore } from "../../src/storage/fs-store.ts";
import { transformAll } from "../../src/transform/run-transform.ts";

/** The raw fixtures of the transform tests, one NDJSON file per raw entity. */
export const FIXTURES = path.join(import.meta.dirname, "fixtures");

/**
 * A temp lake with the fixtures as the raw zone of `date`, transformed into its curated zone.
 * The caller removes `dir`.
 */
export async function transformFixturesIntoTempLake(
  date: string,
  prefix: string,
): Promise<{ dir: string; curated: FsObjectStore }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const raw = new FsObjectStore(path.join(dir, "raw"));
  const curated = new FsObjectStore(path.join(dir, "curated"));
  for (const file of await readdir(FIXTURES)) {
    const entity = file.replace(".ndjson", "") as RawEntity;
    await raw.put(rawKey(entity, date, 0), gzipSync(await readFile(path.join(FIXTURES, file))));
  }
  await transformAll({ date, raw, curated, workDir: path.join(dir, "work") });
  return { dir, curated };
}
