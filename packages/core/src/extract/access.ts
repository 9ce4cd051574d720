/**
 * What this app may call, learnt once per run. `development` and `extended` fix every capability up front; `auto`
 * starts optimistic (batch endpoints, playlist entries, large pages), lets the first request that needs a capability
 * probe it while the others wait, and falls back for the rest of the run once Spotify refuses it.
 */
import type { AccessProfile } from "../config/extract-options.ts";
import { SpotifyRequestError } from "../errors.ts";
import type { Logger } from "../logger.ts";

export type Capability = "batchArtists" | "batchAlbums" | "batchTracks" | "playlistItems" | "largePages";
type State = "yes" | "no" | "unknown";

/** HTTP statuses that mean "not for this app" for each capability (others are real errors). */
const REFUSALS: Record<Capability, readonly number[]> = {
  batchArtists: [403, 404],
  batchAlbums: [403, 404],
  batchTracks: [403, 404],
  playlistItems: [403, 404],
  largePages: [400],
};

/** Ids per batch call and page sizes, as Spotify allows them. */
export const BATCH_SIZE = { artists: 50, albums: 20, tracks: 50 } as const;
export const PAGE_LIMIT = { large: 50, development: 10 } as const;

const REFUSED = Symbol("refused");

export class AccessState {
  private readonly states: Record<Capability, State>;
  private readonly probes = new Map<Capability, Promise<void>>();

  /** `learnt`: what an earlier slice of the same extract found out (from its checkpoint), so it is not probed again. */
  constructor(
    readonly requested: AccessProfile,
    private readonly logger: Logger,
    learnt?: Record<Capability, State>,
  ) {
    const initial: State = requested === "auto" ? "unknown" : requested === "extended" ? "yes" : "no";
    this.states = {
      batchArtists: initial,
      batchAlbums: initial,
      batchTracks: initial,
      playlistItems: initial,
      largePages: initial,
    };
    if (requested === "auto" && learnt) Object.assign(this.states, learnt);
  }

  /** `extended` when every capability that was used worked, else `development`. */
  get effective(): "development" | "extended" {
    if (this.requested !== "auto") return this.requested;
    return Object.values(this.states).includes("no") ? "development" : "extended";
  }

  /** The capabilities as learnt so far (for the manifest). */
  snapshot(): Record<Capability, State> {
    return { ...this.states };
  }

  allowed(capability: Capability): boolean {
    return this.states[capability] !== "no";
  }

  /**
   * Pages of `wanted` items: one large page where allowed, else development-sized pages. A request whose pages fit the
   * development limit anyway neither needs nor proves the large-pages capability, so it never probes it (otherwise a
   * small page that succeeds would mark large pages as allowed for the whole run).
   */
  async usePages<T>(wanted: number, walk: (pageLimit: number) => () => Promise<T>): Promise<T> {
    if (wanted <= PAGE_LIMIT.development) return walk(PAGE_LIMIT.development)();
    return this.use("largePages", walk(PAGE_LIMIT.large), walk(PAGE_LIMIT.development));
  }

  /** Runs `attempt` when the capability is (or may be) allowed, else `fallback`; the first refusal is remembered. */
  async use<T>(capability: Capability, attempt: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    const state = this.states[capability];
    if (state === "no") return fallback();
    if (state === "yes") return attempt();
    const inFlight = this.probes.get(capability);
    if (inFlight) {
      // Another caller is probing: its outcome decides this one's path.
      await inFlight;
      return this.use(capability, attempt, fallback);
    }
    const probe = attempt().then(
      (value) => {
        this.states[capability] = "yes";
        return value;
      },
      (error: unknown) => {
        if (error instanceof SpotifyRequestError && REFUSALS[capability].includes(error.status)) {
          this.states[capability] = "no";
          this.logger.info(`Spotify refused ${capability} for this app; using the fallback for the rest of the run`, {
            status: error.status,
          });
          return REFUSED;
        }
        // Not a refusal: let the next caller probe again.
        this.probes.delete(capability);
        throw error;
      },
    );
    this.probes.set(
      capability,
      probe.then(
        () => undefined,
        () => undefined,
      ),
    );
    const result = await probe;
    return result === REFUSED ? fallback() : (result as T);
  }
}
