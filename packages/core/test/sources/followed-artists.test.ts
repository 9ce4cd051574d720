import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LibraryRun, runLibraryDay } from "./library-run.ts";

describe("the followedArtists source (GET /me/following?type=artist, cursor-paged)", () => {
  let day: LibraryRun;

  beforeAll(async () => {
    // Prepare + Act: a day of the artists the user follows (70 on the sample API: two cursor pages of 50)
    day = await runLibraryDay({ followedArtists: true });
  });
  afterAll(async () => {
    await day?.close();
  });

  it("follows the after cursor through every page once and keeps every artist once", async () => {
    // Assess
    expect(day.extract.requests).toBe(2);
    expect(day.rows.followed_artists).toBe(70);
    expect(
      await day.query(
        "SELECT count(DISTINCT artist_id)::INTEGER AS n FROM followed_artists WHERE artist_id IS NOT NULL",
      ),
    ).toEqual([{ n: 70 }]);
  });

  it("feeds artists as full objects", async () => {
    // Assess
    const [counts] = await day.query(`SELECT
      (SELECT count(*) FROM followed_artists f LEFT JOIN artists a USING (artist_id) WHERE a.artist_id IS NULL)::INTEGER AS missing,
      (SELECT count(*) FROM artists WHERE name IS NOT NULL)::INTEGER AS named`);
    expect(counts).toEqual({ missing: 0, named: 70 });
  });
});
