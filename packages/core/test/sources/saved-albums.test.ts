import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LibraryRun, runLibraryDay } from "./library-run.ts";

describe("the savedAlbums source (GET /me/albums)", () => {
  let day: LibraryRun;

  beforeAll(async () => {
    // Prepare + Act: a day of the user's saved albums (25 on the sample API: one page)
    day = await runLibraryDay({ savedAlbums: true });
  });
  afterAll(async () => {
    await day?.close();
  });

  it("reads the page once and keeps every saved album with when it was saved", async () => {
    // Assess
    expect(day.extract.requests).toBe(1);
    expect(day.rows.saved_albums).toBe(25);
    expect(await day.query("SELECT count(*)::INTEGER AS n FROM saved_albums WHERE added_at IS NULL")).toEqual([
      { n: 0 },
    ]);
  });

  it("feeds albums as full objects, their tracks and their artists", async () => {
    // Assess
    const [counts] = await day.query(`SELECT
      (SELECT count(*) FROM saved_albums s LEFT JOIN albums a USING (album_id) WHERE a.album_id IS NULL)::INTEGER AS missing,
      (SELECT count(*) FROM albums WHERE upc IS NOT NULL)::INTEGER AS full_albums,
      (SELECT count(*) FROM tracks t JOIN saved_albums s USING (album_id))::INTEGER AS tracks,
      (SELECT count(*) FROM album_artists a JOIN saved_albums s USING (album_id))::INTEGER AS credits`);
    expect(counts).toMatchObject({ missing: 0, full_albums: 25 });
    expect(counts?.tracks).toBeGreaterThan(0);
    expect(counts?.credits).toBeGreaterThan(0);
  });
});
