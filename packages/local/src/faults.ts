/**
 * `--inject-fault NAME`: the failure paths a user can try locally, all in this file. spotify-* faults become switches
 * of the sample API ({@link sampleFaultsFor}); the others wrap the local engine's Lambda handlers and its Glue and
 * Athena stand-ins ({@link withFaults}), so none of those knows about faults. They apply to one run only, never to
 * its redrive (the engine hands the wrappers no faults then).
 */
import type { SampleFaults } from "@tunelake/sample-api/sample-server";
import type { LocalAthena } from "./athena.ts";
import { ServiceError } from "./errors.ts";
import { FAULTS, type FaultName, parseFaults } from "./fault-list.ts";
import { LOCAL_CRAWLER_NAME, type LocalGlue } from "./glue.ts";
import type { LocalHandlers } from "./handlers.ts";

export { FAULTS, type FaultName, parseFaults };
/** The faults the sample API injects. */
export type SpotifyFault = Extract<FaultName, `spotify-${string}`>;
/** The faults the local engine's wrappers inject. */
export type EngineFault = Exclude<FaultName, SpotifyFault>;

/** Injected extract-crash: each Extract attempt of the run sends 8 requests, checkpoints, and dies. */
export const EXTRACT_CRASH = { afterRequests: 8, checkpointEveryRequests: 1 } as const;
/** Injected extract-timeout: the first Extract slice is told this little time remains, so it stops early. */
export const EXTRACT_TIMEOUT_REMAINING_MS = 4;
/** The entity whose first Transform attempt the `transform-crash` fault crashes. */
export const CRASHING_ENTITY = "tracks";
/** The check row the `validation-failed` fault adds to the checks' results. */
export const INJECTED_CHECK_NAME = "injected_fault_validation_failed";

export const isSpotifyFault = (fault: FaultName): fault is SpotifyFault => fault.startsWith("spotify-");

/** Fresh switches per call: the sample server counts its faults down in the object it is given. */
const SAMPLE_FAULTS: { [F in SpotifyFault]: () => SampleFaults } = {
  "spotify-429": () => ({ rateLimit: { count: 3, retryAfterSeconds: 1 } }),
  "spotify-5xx": () => ({ serverError: { count: 3 } }),
  "spotify-quota": () => ({ quota: true }),
  "spotify-malformed": () => ({ malformed: { count: 2 } }),
  "spotify-token-revoked": () => ({ refreshTokenRevoked: true }),
  "spotify-premium-lapsed": () => ({ premiumLapsed: true }),
  "spotify-drift": () => ({ drift: true }),
};

/** The sample API's fault switches for the spotify-* faults (the others are not the sample API's). */
export function sampleFaultsFor(faults: readonly FaultName[]): SampleFaults {
  return Object.assign({}, ...faults.filter(isSpotifyFault).map((fault) => SAMPLE_FAULTS[fault]()));
}

/** What the engine faults wrap: one execution's Lambda handlers and its Glue and Athena stand-ins. */
export interface LocalServices {
  handlers: LocalHandlers;
  glue: LocalGlue;
  athena: LocalAthena;
}

/** Each wrapper keeps its own state (first attempt, first slice), so it is built per execution. */
const WRAPPERS: { [F in EngineFault]: (services: LocalServices) => LocalServices } = {
  "extract-crash": ({ handlers, ...rest }) => ({
    ...rest,
    handlers: {
      ...handlers,
      extract: (input, context) =>
        handlers.extract(input, context && { ...context, injectedCrash: { ...EXTRACT_CRASH } }),
    },
  }),

  "extract-timeout": ({ handlers, ...rest }) => {
    let first = true;
    return {
      ...rest,
      handlers: {
        ...handlers,
        extract: (input, context) => {
          if (!first || !context) return handlers.extract(input, context);
          first = false;
          const deadline = Date.now() + EXTRACT_TIMEOUT_REMAINING_MS;
          return handlers.extract(input, {
            ...context,
            getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
          });
        },
      },
    };
  },

  "transform-crash": ({ handlers, ...rest }) => {
    let crashed = false;
    return {
      ...rest,
      handlers: {
        ...handlers,
        transform: async (input, context) => {
          const entity = (input as { entity?: string } | undefined)?.entity;
          if (entity === CRASHING_ENTITY && !crashed) {
            crashed = true;
            const crash = new Error(
              `Injected fault transform-crash: the transform of ${entity} exited on its first attempt (as a crashed Lambda runtime reports it); Step Functions retries it.`,
            );
            crash.name = "Runtime.ExitError";
            throw crash;
          }
          return handlers.transform(input, context);
        },
      },
    };
  },

  // Someone else's crawl, started before this run's files were written: the run must wait for it, then crawl again.
  "crawler-running": ({ glue, ...rest }) => {
    let used = false;
    return {
      ...rest,
      glue: {
        ...glue,
        async startCrawler(input) {
          if (!used && (await glue.startCrawlElsewhere())) {
            used = true;
            throw new ServiceError(
              "Glue.CrawlerRunningException",
              `Crawler with name ${LOCAL_CRAWLER_NAME} has already started (injected fault crawler-running).`,
            );
          }
          return glue.startCrawler(input);
        },
      },
    };
  },

  "crawler-failed": ({ glue, ...rest }) => ({
    ...rest,
    glue: {
      ...glue,
      async startCrawler(input) {
        const started = await glue.startCrawler(input);
        await glue.failRunningCrawl("Injected fault crawler-failed: the crawl failed.");
        return started;
      },
    },
  }),

  // This run's crawl never moves on: StartCrawler starts nothing and GetCrawler answers RUNNING. The home's crawler
  // is left as it was, so the next run (and this run's redrive) finds it READY instead of a crawl nobody finishes.
  "crawler-stuck": ({ glue, ...rest }) => ({
    ...rest,
    glue: {
      ...glue,
      startCrawler: async () => ({}),
      async getCrawler() {
        const { Crawler } = await glue.describeCrawler();
        return { Crawler: { ...Crawler, State: "RUNNING" } };
      },
    },
  }),

  // The checks' results (the query with a failed_rows column) get one more failed check, first.
  "validation-failed": ({ athena, ...rest }) => ({
    ...rest,
    athena: {
      ...athena,
      async getQueryResults(input) {
        const results = await athena.getQueryResults(input);
        const columns = results.ResultSet.ResultSetMetadata.ColumnInfo.map((c) => c.Name);
        if (!columns.includes("failed_rows")) return results;
        const [header, ...rows] = results.ResultSet.Rows;
        const injected = {
          Data: [
            { VarCharValue: INJECTED_CHECK_NAME },
            { VarCharValue: "1" },
            ...(columns.includes("failed_check") ? [{ VarCharValue: `${INJECTED_CHECK_NAME}=1` }] : []),
          ],
        };
        return {
          ...results,
          ResultSet: { ...results.ResultSet, Rows: [...(header ? [header] : []), injected, ...rows] },
        };
      },
    },
  }),
};

/**
 * Wraps one execution's handlers and stand-ins in the engine faults asked for (spotify-* are the sample API's and
 * are ignored here). With no faults it returns the services as they are.
 */
export function withFaults(services: LocalServices, faults: readonly FaultName[]): LocalServices {
  return faults
    .filter((fault): fault is EngineFault => !isSpotifyFault(fault))
    .reduce((wrapped, fault) => WRAPPERS[fault](wrapped), services);
}
