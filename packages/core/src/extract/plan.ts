/**
 * The extraction plan: the configured ids, deduplicated, so that each id is fetched at most once per run.
 */
import type { Config, SearchSource } from "../config/schema.ts";
import { unique } from "./context.ts";

export interface ExtractPlan {
  artists: string[];
  /** Albums named in the config (artists' albums are added once they are known). */
  albums: string[];
  tracks: string[];
  playlists: string[];
  searches: SearchSource[];
}

export function planExtract(config: Config): ExtractPlan {
  const s = config.sources;
  const searchKey = (q: SearchSource) => `${q.type}\u0000${q.query}\u0000${q.market ?? ""}`;
  const searches = [...new Map(s.searches.map((q) => [searchKey(q), q])).values()];
  return {
    artists: unique(s.artists),
    albums: unique(s.albums),
    tracks: unique(s.tracks),
    playlists: unique(s.playlists),
    searches,
  };
}
