import { describe, expect, it } from "vitest";
import type { Loose } from "../../core/test/extract/helpers.ts";
import { deriveId, SampleData, type SampleDataOptions } from "../src/sample-data.ts";
import { applyFields, parseFields } from "../src/sample-fields.ts";
import { dateOfWorldDay, WORLD_EPOCH, WORLD_RATES, worldDayOf } from "../src/sample-world.ts";

const BASE = "http://127.0.0.1:1/v1";
const data = (worldDate?: string, options: Partial<SampleDataOptions> = {}) =>
  new SampleData({ profile: "extended", shape: "2026", apiBaseUrl: BASE, worldDate, ...options });
const ARTISTS = Array.from({ length: 300 }, (_, i) => deriveId("world-test-artist", i));
const PLAYLISTS = Array.from({ length: 12 }, (_, i) => deriveId("world-test-playlist", i));
const DAYS = 28;
const dates = Array.from({ length: DAYS }, (_, d) => dateOfWorldDay(d));

/** Every answer the changing world varies, for one world date, as JSON. */
function snapshot(world: SampleData): string {
  return JSON.stringify({
    artists: ARTISTS.slice(0, 50).map((a) => [world.artist(a), world.artistAlbumIds(a, ["album", "single"])]),
    playlists: PLAYLISTS.map((p) => [world.playlist(p, true), world.playlistEntriesPage(p, new URL(BASE), 50, 50)]),
    plays: world.recentlyPlayed(50),
  });
}

describe("the sample world", () => {
  it("is the base world, byte for byte, without a world date and for dates before the epoch", () => {
    // Prepare
    const before = dateOfWorldDay(-1);

    // Act
    const [none, early] = [snapshot(data()), snapshot(data(before))];

    // Assess
    expect(worldDayOf(before)).toBeUndefined();
    expect(early).toBe(none);
    expect(snapshot(data(WORLD_EPOCH))).not.toBe(none);
  });

  it("is a deterministic function of the world date, and setWorldDate moves it", () => {
    // Prepare
    const moved = data(dates[3]);

    // Act
    moved.setWorldDate(dates[30]);

    // Assess
    expect(snapshot(moved)).toBe(snapshot(data(dates[30])));
    expect(moved.worldDate).toBe(dates[30]);
  });

  it.each(["2027-02-30", "next week", "2027-1-1"])("refuses the world date %s", (date) => {
    expect(() => data(date)).toThrow(/SampleWorldDate|calendar date/);
  });

  it("lets some artists release albums, listed newest first within album and single, never before their day", () => {
    // Prepare
    const first = data(dates[0]);
    const last = data(dates.at(-1));

    // Act
    const released = ARTISTS.filter(
      (a) => last.artistAlbumIds(a, undefined).length > first.artistAlbumIds(a, undefined).length,
    );

    // Assess: about the declared rate, and every new album has tracks and a day-precise date in the window.
    const expected = ARTISTS.length * WORLD_RATES.artistReleasesPerWeek * (DAYS / 7);
    expect(released.length).toBeGreaterThan(expected / 3);
    expect(released.length).toBeLessThan(expected * 3);
    for (const artist of ARTISTS) {
      for (const group of ["album", "single"]) {
        const dates = last.artistAlbumIds(artist, [group]).map((id) => last.albumFacts(id).releaseDate);
        expect(dates).toEqual([...dates].sort().reverse());
      }
    }
    for (const artist of released) {
      const fresh = last
        .artistAlbumIds(artist, undefined)
        .filter((id) => !first.artistAlbumIds(artist, undefined).includes(id));
      for (const id of fresh) {
        const facts = last.albumFacts(id);
        expect(facts.releaseDate > (dates[0] ?? "")).toBe(true);
        expect(facts.releaseDate <= (dates.at(-1) ?? "")).toBe(true);
        expect(last.albumTrackIds(id).length).toBeGreaterThan(0);
        expect(data().albumFacts(id)).toEqual(facts);
      }
    }
  });

  it("edits some playlists on some days, with a new snapshot_id exactly when the entries change", () => {
    // Prepare
    const worlds = dates.map((date) => data(date));
    // What a playlist holds, entry by entry (an artist renamed elsewhere changes an entry's copy, not the playlist).
    const entries = (w: SampleData, id: string) => JSON.stringify(w.playlistEntryKeys(id));
    let edits = 0;

    // Act / Assess
    for (const id of PLAYLISTS) {
      const held = worlds.map((w) => entries(w, id));
      const snapshots = worlds.map((w) => w.playlist(id, false).snapshot_id);
      for (let d = 1; d < DAYS; d++) {
        const changed = held[d - 1] !== held[d];
        expect(snapshots[d - 1] !== snapshots[d]).toBe(changed);
        if (changed) edits++;
      }
    }
    const expected = PLAYLISTS.length * (DAYS - 1) * WORLD_RATES.playlistEditsPerDay;
    expect(edits).toBeGreaterThan(expected / 3);
    expect(edits).toBeLessThan(expected * 3);
  });

  it("adds the day's plays to recently played, newest first, none after the end of the world date", () => {
    // Prepare
    const day = 12;
    const world = data(dates[day]);

    // Act
    const plays = world.recentlyPlayed(50).map((play) => Date.parse(String(play.played_at)));

    // Assess
    expect(plays).toHaveLength(50);
    expect(plays).toEqual([...plays].sort((a, b) => b - a));
    expect(new Date(plays[0]!).toISOString().slice(0, 10)).toBe(dates[day]);
    expect(data(dates[day - 1]).recentlyPlayed(50)).not.toEqual(world.recentlyPlayed(50));
  });

  it("changes some artists' names, images or popularity over the days", () => {
    // Act
    const changed = ARTISTS.filter(
      (a) => JSON.stringify(data(dates[0]).artist(a)) !== JSON.stringify(data(dates.at(-1)).artist(a)),
    );

    // Assess
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThan(ARTISTS.length * 0.2);
  });
});

describe("Spotify's fields filter", () => {
  const playlist = data().playlist(PLAYLISTS[0]!, true) as Loose;

  it("keeps the top-level fields named and one level of a(b,c) inside objects and lists", () => {
    // Act
    const meta = applyFields(playlist, parseFields("snapshot_id,name,owner(id),public,collaborative")) as Loose;
    const entries = applyFields(playlist, parseFields("items(total,items(added_at,item(id)))")) as Loose;

    // Assess
    expect(Object.keys(meta).sort()).toEqual(["collaborative", "name", "owner", "public", "snapshot_id"]);
    expect(meta.owner).toEqual({ id: playlist.owner.id });
    expect(Object.keys(entries.items)).toEqual(["total", "items"]);
    expect(entries.items.items[0]).toEqual({
      added_at: playlist.items.items[0].added_at,
      item: { id: playlist.items.items[0].item.id },
    });
  });

  it("reads a.b as a(b) and !a as everything but a", () => {
    // Act
    const dotted = applyFields(playlist, parseFields("owner.id,items.total")) as Loose;
    const excluded = applyFields(playlist, parseFields("!items,!images")) as Loose;

    // Assess
    expect(dotted).toEqual({ owner: { id: playlist.owner.id }, items: { total: playlist.items.total } });
    expect(excluded).not.toHaveProperty("items");
    expect(excluded).toHaveProperty("snapshot_id");
  });

  it.each(["", "a(", "a)", "a,,b", "a(b", "(a)", "a.", "!a(b)", "a b"])("refuses the malformed fields %j", (fields) => {
    expect(() => parseFields(fields)).toThrow(/Invalid fields/);
  });
});
