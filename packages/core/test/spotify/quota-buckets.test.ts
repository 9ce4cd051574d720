import { describe, expect, it } from "vitest";
import { QUOTA_BUCKETS, quotaBucketOf } from "../../src/spotify/quota-buckets.ts";

describe("quotaBucketOf", () => {
  it.each([
    ["GET /artists/{id}/albums", "artist-albums"],
    ["GET /artists/{id}", "catalog"],
    ["GET /artists", "catalog"],
    ["GET /albums/{id}/tracks", "catalog"],
    ["GET /tracks/{id}", "catalog"],
    ["GET /playlists/{id}", "playlists"],
    ["GET /playlists/{id}/items", "playlists"],
    ["GET /playlists/{id}/tracks", "playlists"],
    ["GET /search", "search"],
    ["/search?q=tag:new&type=album", "search"],
    ["GET /me", "user"],
    ["GET /me/player/recently-played", "user"],
    ["GET /me/following", "user"],
    ["GET /something-new", "catalog"],
  ])("%s counts toward %s", (endpoint, bucket) => {
    expect(quotaBucketOf(endpoint)).toBe(bucket);
  });

  it("names every bucket some rule reaches", () => {
    const reached = new Set(
      ["/artists/{id}/albums", "/artists/{id}", "/playlists/{id}", "/search", "/me"].map(quotaBucketOf),
    );
    expect([...reached].sort()).toEqual([...QUOTA_BUCKETS].sort());
  });
});
