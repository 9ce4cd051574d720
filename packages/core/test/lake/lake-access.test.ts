import { describe, expect, it } from "vitest";
import {
  CURATED_TABLES,
  checkpointKey,
  checkpointRejectsPrefix,
  columnStatsKey,
  curatedKey,
  type LakeFunctionName,
  type LakeObjectAction,
  type LakeZone,
  lakeAccess,
  lakeAllows,
  manifestKey,
  RAW_ENTITIES,
  rawPartKey,
  rejectsKey,
  tableStatsKey,
  transformReportKey,
} from "../../src/lake.ts";

const DATE = "2026-11-21";

/** Every key each function's code builds, with what it does there (run-extract, checkpoint, run-transform). */
const KEYS_IN_USE: [LakeFunctionName, LakeZone, LakeObjectAction, string][] = [
  ["extract", "raw", "s3:GetObject", checkpointKey(DATE)],
  ["extract", "raw", "s3:PutObject", checkpointKey(DATE)],
  ["extract", "raw", "s3:PutObject", `${checkpointRejectsPrefix(DATE)}artists-0001.ndjson.gz`],
  ["extract", "raw", "s3:DeleteObject", `${checkpointRejectsPrefix(DATE)}artists-0001.ndjson.gz`],
  ["extract", "raw", "s3:GetObject", manifestKey(DATE)],
  ["extract", "raw", "s3:PutObject", manifestKey(DATE)],
  ["extract", "raw", "s3:PutObject", rejectsKey(DATE, "tracks")],
  ...RAW_ENTITIES.flatMap((entity): [LakeFunctionName, LakeZone, LakeObjectAction, string][] => [
    ["extract", "raw", "s3:PutObject", rawPartKey(entity, DATE, "a1-00001-v1")],
    ["extract", "raw", "s3:DeleteObject", rawPartKey(entity, DATE, "a1-00001-v1")],
    ["transform", "raw", "s3:GetObject", rawPartKey(entity, DATE, "a1-00001-v1")],
  ]),
  ["transform", "raw", "s3:GetObject", manifestKey(DATE)],
  ["transform", "raw", "s3:PutObject", rejectsKey(DATE, "transform-tracks")],
  ["transform", "raw", "s3:DeleteObject", rejectsKey(DATE, "transform-raw-tracks")],
  ...CURATED_TABLES.map((table): [LakeFunctionName, LakeZone, LakeObjectAction, string] => [
    "transform",
    "curated",
    "s3:PutObject",
    curatedKey(table, DATE),
  ]),
  ["transform", "curated", "s3:GetObject", curatedKey("plays", "2026-11-20")],
  ["transform", "curated", "s3:PutObject", tableStatsKey(DATE, "tracks")],
  ["transform", "curated", "s3:PutObject", columnStatsKey(DATE, "tracks")],
  ["transform", "curated", "s3:PutObject", transformReportKey(DATE, "tracks")],
];

describe("lake access", () => {
  it.each(KEYS_IN_USE)("lets %s %s: %s %s", (fn, zone, action, key) => {
    expect(lakeAllows(fn, zone, action, key)).toBe(true);
  });

  it("lets extract read, write and list its checkpoints (the first call of every run reads one)", () => {
    const extract = lakeAccess("extract");
    expect(extract.objects.some((g) => g.folders.includes("_checkpoints") && g.actions.includes("s3:GetObject"))).toBe(
      true,
    );
    expect(extract.list.some((g) => g.zone === "raw" && g.folders.includes("_checkpoints"))).toBe(true);
  });

  it("lists every folder a function reads, so a missing key reads as 404 and not 403", () => {
    for (const fn of ["extract", "transform"] as const) {
      const { objects, list } = lakeAccess(fn);
      for (const grant of objects.filter((g) => g.actions.includes("s3:GetObject"))) {
        const listed = list.filter((l) => l.zone === grant.zone).flatMap((l) => l.folders);
        expect(
          grant.folders.filter((folder) => !listed.includes(folder)),
          `${fn} ${grant.zone}`,
        ).toEqual([]);
      }
    }
  });

  it("keeps transform from writing raw parts and extract away from the curated zone", () => {
    expect(lakeAllows("transform", "raw", "s3:PutObject", rawPartKey("tracks", DATE, "x"))).toBe(false);
    expect(lakeAllows("transform", "raw", "s3:PutObject", checkpointKey(DATE))).toBe(false);
    expect(lakeAccess("extract").objects.every((g) => g.zone === "raw")).toBe(true);
  });
});
