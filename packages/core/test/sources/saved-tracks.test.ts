import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LibraryRun, runLibraryDay } from "./library-run.ts";

describe("the savedTracks source (GET /me/tracks)", () => {
  let day: LibraryRun;

  beforeAll(async () => {
    // Prepare + Act: a day of the user's saved tracks (60 on the sample API: two pages of 50)
    day = await runLibraryDay({ savedTracks: true });
  });
  afterAll(async () => {
    await day?.close();
  });

  it("reads every page once and keeps every saved track with when it was saved", async () => {
    // Assess
    expect(day.extract.requests).toBe(2);
    expect(day.extract.objects.saved_tracks).toBe(60);
    expect(day.rows.saved_tracks).toBe(60);
    expect(await day.query("SELECT count(*)::INTEGER AS n FROM saved_tracks WHERE added_at IS NULL")).toEqual([
      { n: 0 },
    ]);
  });

  it("feeds tracks, and through them albums and artists", async () => {
    // Assess
    const [counts] = await day.query(`SELECT
      (SELECT count(*) FROM saved_tracks s LEFT JOIN tracks t USING (track_id) WHERE t.track_id IS NULL)::INTEGER AS missing,
      (SELECT count(*) FROM tracks)::INTEGER AS tracks,
      (SELECT count(*) FROM albums)::INTEGER AS albums,
      (SELECT count(*) FROM artists)::INTEGER AS artists`);
    expect(counts).toMatchObject({ missing: 0, tracks: 60 });
    expect(counts?.albums).toBeGreaterThan(0);
    expect(counts?.artists).toBeGreaterThan(0);
  });
});
