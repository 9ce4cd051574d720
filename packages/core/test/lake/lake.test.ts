import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import {
  assertRunDate,
  CURATED_TABLES,
  curatedKey,
  manifestKey,
  rawKey,
  rejectsKey,
  TRANSFORM_ENTITIES,
} from "../../src/lake.ts";

describe("lake layout", () => {
  it("builds the contract keys", () => {
    expect(rawKey("tracks", "2026-11-21", 3)).toBe("tracks/dt=2026-11-21/part-00003.ndjson.gz");
    expect(manifestKey("2026-11-21")).toBe("_manifests/dt=2026-11-21/manifest.json");
    expect(rejectsKey("2026-11-21", "tracks")).toBe("_rejects/dt=2026-11-21/tracks.ndjson.gz");
    expect(curatedKey("tracks", "2026-11-21")).toBe("tracks/dt=2026-11-21/part-00000.parquet");
  });

  it("writes every curated table from exactly one transform entity", () => {
    const tables = Object.values(TRANSFORM_ENTITIES).flat();
    expect(new Set(tables).size).toBe(tables.length);
    expect([...tables].sort()).toEqual([...CURATED_TABLES].sort());
  });

  it.each(["2026-02-30", "2026-13-01", "26-11-21", "2026-11-21T00:00:00Z", "", "yesterday"])(
    "rejects the run date %j",
    (date) => {
      expect(() => assertRunDate(date)).toThrow(InputError);
    },
  );

  it("accepts a leap day", () => {
    expect(assertRunDate("2024-02-29")).toBe("2024-02-29");
  });
});
