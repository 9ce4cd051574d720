/**
 * Spotify's quota buckets, written once: which endpoints share one quota (since July 2026, counted per developer
 * account, groupings unpublished). The client counts requests per bucket, the extract stops only the sources of an
 * exhausted bucket, `tunelake plan` predicts requests per bucket, and the sample API emulates one budget per bucket,
 * all from this list. The groupings follow the field reports (an exhausted `/artists/{id}/albums` while `GET /me`
 * still answered); Spotify may regroup them, so a bucket is a name here, never a number baked in elsewhere.
 */

export const QUOTA_BUCKETS = ["artist-albums", "catalog", "playlists", "search", "user"] as const;
export type QuotaBucket = (typeof QUOTA_BUCKETS)[number];

/** Endpoint path patterns (as `endpointOf` labels them, `{id}` for a Spotify id) per bucket, first match wins. */
const RULES: readonly { bucket: QuotaBucket; test: (path: string) => boolean }[] = [
  { bucket: "artist-albums", test: (p) => /^\/artists\/\{id\}\/albums$/.test(p) },
  { bucket: "catalog", test: (p) => /^\/(artists|albums|tracks)(\/\{id\}(\/tracks)?)?$/.test(p) },
  { bucket: "playlists", test: (p) => /^\/playlists\/\{id\}(\/(items|tracks))?$/.test(p) },
  { bucket: "search", test: (p) => p === "/search" },
  { bucket: "user", test: (p) => p === "/me" || p.startsWith("/me/") || p.startsWith("/users/") },
];

/**
 * The bucket of an endpoint label (`GET /artists/{id}/albums`, as `endpointOf` and the sample API's stats write it) or
 * of a bare path. Endpoints outside every rule (a future one) count toward `catalog`, the largest bucket, so a cap
 * never lets them through uncounted.
 */
export function quotaBucketOf(endpoint: string): QuotaBucket {
  const path = endpoint.replace(/^[A-Z]+ /, "").split("?")[0] ?? "";
  return RULES.find((rule) => rule.test(path))?.bucket ?? "catalog";
}
