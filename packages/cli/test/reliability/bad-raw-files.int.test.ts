/**
 * Bad raw files fed to the transform (`run --reprocess` over a raw zone someone or something broke): not gzip,
 * truncated gzip, a line that is not JSON, fields of the wrong type, objects without ids. A broken file fails the
 * Transform stage with a TransformError naming the file (curated files untouched, a notification, a redrive that
 * completes once the file is fixed); a line that is not JSON becomes a counted reject with its reason, file and line;
 * a field of the wrong type is NULL in its column and the object is kept (validation by identity, docs/tables.md).
 */
import { createHash, randomBytes } from "node:crypto";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { manifestKey, rawPrefix, transformReportKey } from "@tunelake/core/lake";
import { openLocalCatalog } from "@tunelake/local/catalog";
import type { SampleServer } from "@tunelake/sample-api/sample-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLEAN_RUN_DATE,
  cleanRun,
  fingerprint,
  listFiles,
  outbox,
  readRejects,
  redrivePipeline,
  rowCounts,
  runPipeline,
  startSample,
  type TableFingerprint,
  tempHomes,
} from "./harness.ts";

const DATE = CLEAN_RUN_DATE;
/** The date's one tracks part, as the clean run's manifest lists it (part names are the extract's). */
let TRACKS_PART = "";
const REPROCESS = { date: DATE, mode: "reprocess" as const };

describe("bad raw files fed to the transform", () => {
  let server: SampleServer;
  let base: string;
  let clean: TableFingerprint[];
  let original: Buffer;
  const { newHome, cleanupAll } = tempHomes();
  /** A home whose lake is a copy of the clean run's, with the raw tracks part replaced by `bytes`. */
  const homeWithTracksPart = async (label: string, bytes: Buffer) => {
    const home = await newHome(label);
    await cp(path.join(base, "lake"), path.join(home, "lake"), { recursive: true });
    await writeFile(path.join(home, "lake", "raw", TRACKS_PART), bytes);
    return home;
  };
  /** Every curated Parquet file of the date with a hash of its bytes. */
  const parquetFiles = async (home: string) => {
    const dir = path.join(home, "lake", "curated");
    const files = (await listFiles(dir)).filter((f) => f.includes(`dt=${DATE}`) && f.endsWith(".parquet"));
    return Promise.all(
      files.map(async (f) => [
        f,
        createHash("sha256")
          .update(await readFile(path.join(dir, f)))
          .digest("hex"),
      ]),
    );
  };
  const tracksLines = () => gunzipSync(original).toString("utf8").split("\n").filter(Boolean);

  beforeAll(async () => {
    server = await startSample();
    // The shared clean run's lake, read only: each test copies it.
    ({ home: base, fingerprint: clean } = await cleanRun());
    const manifest = JSON.parse(await readFile(path.join(base, "lake", "raw", manifestKey(DATE)), "utf8"));
    const tracksParts = (manifest.keys as string[]).filter((k) => k.startsWith(rawPrefix("tracks", DATE)));
    expect(tracksParts).toHaveLength(1);
    TRACKS_PART = tracksParts[0] as string;
    original = await readFile(path.join(base, "lake", "raw", TRACKS_PART));
  });
  afterAll(async () => {
    await server.close();
    await cleanupAll();
  });

  it.each([
    ["is not gzip (plain NDJSON)", () => gunzipSync(original)],
    ["is a truncated gzip", () => original.subarray(0, Math.floor(original.length / 2))],
    ["is random bytes", () => randomBytes(2048)],
  ])(
    "fails Transform with a TransformError naming the file when the raw tracks part %s, leaves curated files untouched, and a redrive completes once it is fixed",
    async (label, bytes) => {
      // Prepare
      const home = await homeWithTracksPart(label.replace(/\W+/g, "-"), bytes());
      const before = await parquetFiles(home);

      // Act
      const failed = await runPipeline({ home, server, date: DATE, input: REPROCESS });
      const after = await parquetFiles(home);
      const notes = await outbox(home);
      await writeFile(path.join(home, "lake", "raw", TRACKS_PART), original);
      const redriven = await redrivePipeline({ home, server, name: DATE });

      // Assess
      expect(failed.record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "TransformError" });
      expect(failed.record.cause).toContain(TRACKS_PART);
      expect(after).toEqual(before);
      expect(notes[0]?.Message).toContain("TransformError");
      expect(redriven.record.status, redriven.record.cause).toBe("SUCCEEDED");
      expect(await fingerprint(home, DATE)).toEqual(clean);
    },
  );

  /** The transform's set-aside raw tracks lines, as written to the rejects area. */
  const rawRejects = (home: string) =>
    readRejects<{ _reason: string; _file: string; _line: number; line: string }>(home, DATE, "transform-raw-tracks");
  const tracksRejects = (record: { output?: unknown }) =>
    (record.output as { transform: { tables: { table: string; rejects: number }[] }[] }).transform
      .flatMap((t) => t.tables)
      .find((t) => t.table === "tracks")?.rejects;

  it.each([
    ["duration_ms", "a string", "long", "duration_ms"],
    ["popularity", "an object", { value: 1 }, "popularity"],
    ["album", "a number", 5, "album_id"],
    ["artists", "a string", "nobody", undefined],
    ["external_ids", "a list", ["isrc"], "isrc"],
  ])(
    "keeps a raw track whose %s is %s (validation by identity): its column is NULL, the field is counted as mistyped, and every table builds",
    async (field, _what, value, column) => {
      // Prepare: the first track of the raw tracks part gets the wrong type.
      const lines = tracksLines();
      const track = JSON.parse(lines[0] ?? "{}") as { id: string };
      expect(track.id).toMatch(/^\w{22}$/);
      lines[0] = JSON.stringify({ ...track, [field]: value });
      const home = await homeWithTracksPart(`type-${field}`, gzipSync(`${lines.join("\n")}\n`));

      // Act
      const { record } = await runPipeline({ home, server, date: DATE, input: REPROCESS });

      // Assess
      expect(record.status, record.cause).toBe("SUCCEEDED");
      await expect(rawRejects(home)).rejects.toThrow(/ENOENT/);
      expect(tracksRejects(record)).toBe(0);
      const report = JSON.parse(
        await readFile(path.join(home, "lake", "curated", transformReportKey(DATE, "tracks")), "utf8"),
      ) as { mistyped: { entity: string; field: string; count: number }[] };
      expect(report.mistyped).toContainEqual({ entity: "tracks", field, count: 1 });
      const catalog = await openLocalCatalog(home);
      try {
        const [row] = await catalog.query(
          `SELECT ${column ?? "NULL"} AS value, (SELECT count(*) FROM track_artists a WHERE a.dt = t.dt AND a.track_id = t.track_id) AS artists
           FROM tracks t WHERE dt = '${DATE}' AND track_id = '${track.id}'`,
        );
        expect(row?.value).toBeNull();
        if (field === "artists") expect(Number(row?.artists)).toBe(0);
      } finally {
        catalog.close();
      }
      expect(rowCounts(await fingerprint(home, DATE)).tracks).toBe(rowCounts(clean).tracks);
    },
  );

  it("sets aside a raw line that is not JSON as a counted reject, and keeps every other row", async () => {
    // Prepare
    const lines = tracksLines();
    const home = await homeWithTracksPart(
      "not-json-line",
      gzipSync(`${[lines[0], '{"id": "broken', ...lines.slice(1)].join("\n")}\n`),
    );

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, input: REPROCESS });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
    expect(await rawRejects(home)).toEqual([
      expect.objectContaining({ _file: TRACKS_PART, _line: 2, line: '{"id": "broken' }),
    ]);
    expect(tracksRejects(record)).toBe(1);
  });

  it("counts raw tracks without an id (missing or blank) as rejects with their reason, and keeps every other row", async () => {
    // Prepare
    const provenance = { _fetched_at: "2026-11-21T08:00:00.000Z", _source: "track:hand-made" };
    const extra = [
      JSON.stringify({ name: "No id", type: "track", ...provenance }),
      JSON.stringify({ id: "   ", name: "Blank id", type: "track", ...provenance }),
    ];
    const home = await homeWithTracksPart("no-id", gzipSync(`${[...tracksLines(), ...extra].join("\n")}\n`));

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, input: REPROCESS });

    // Assess
    expect(record.status, record.cause).toBe("SUCCEEDED");
    expect(await fingerprint(home, DATE)).toEqual(clean);
    const rejects = await readRejects<{ name: string; _reason: string }>(home, DATE, "transform-tracks");
    expect(rejects.map((r) => [r.name, r._reason])).toEqual([
      ["No id", "missing id"],
      ["Blank id", "missing id"],
    ]);
    expect(tracksRejects(record)).toBe(2);
  });

  it("refuses to reprocess a date whose raw zone is gone, keeping its curated tables instead of emptying them", async () => {
    // Prepare: the curated tables of a clean run, and no raw data (never extracted, removed, or a mistyped date).
    const home = await newHome("no-raw");
    await cp(path.join(base, "lake", "curated"), path.join(home, "lake", "curated"), { recursive: true });
    const before = await parquetFiles(home);

    // Act
    const { record } = await runPipeline({ home, server, date: DATE, input: REPROCESS });

    // Assess
    expect(record).toMatchObject({ status: "FAILED", failedStage: "Transform", error: "NoRawDataError" });
    expect(record.cause).toContain(
      `No raw data for run date ${DATE} in ${path.join(home, "lake", "raw")} (no _manifests/dt=${DATE}/manifest.json): extract it first with \`tunelake run --date ${DATE}\``,
    );
    expect(await parquetFiles(home)).toEqual(before);
    expect((await outbox(home))[0]?.Message).toContain("No raw data");
  });
});
