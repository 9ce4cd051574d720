/**
 * `--inject-fault NAME`: the failure paths a user can try locally, one file per fault in this folder, all listed here.
 * The fault names, the CLI's help and its refusal of an unknown fault, the sample API's switches and the engine's
 * wrappers all come from this list. A fault applies to one run only, never to its redrive (the engine hands the
 * wrappers no faults then). The README's fault list and RELIABILITY.md's rows are tested against it.
 */
import type { SampleFaults } from "@tunelake/sample-api/sample-server";
import { UnknownFaultError } from "../errors.ts";
import crawlerFailed from "./crawler-failed.ts";
import crawlerRunning from "./crawler-running.ts";
import crawlerStuck from "./crawler-stuck.ts";
import type { EngineFaultDeclaration, Fault, LocalServices, SpotifyFaultDeclaration } from "./define-fault.ts";
import extractCrash from "./extract-crash.ts";
import extractTimeout from "./extract-timeout.ts";
import spotify5xx from "./spotify-5xx.ts";
import spotify429 from "./spotify-429.ts";
import spotifyDrift from "./spotify-drift.ts";
import spotifyMalformed from "./spotify-malformed.ts";
import spotifyPremiumLapsed from "./spotify-premium-lapsed.ts";
import spotifyQuota from "./spotify-quota.ts";
import spotifyTokenRevoked from "./spotify-token-revoked.ts";
import transformCrash from "./transform-crash.ts";
import validationFailed from "./validation-failed.ts";

export type { FaultTarget, LocalServices } from "./define-fault.ts";

/** Every fault, in the order the CLI lists them. */
export const FAULTS = [
  spotify429,
  spotify5xx,
  spotifyQuota,
  spotifyMalformed,
  spotifyTokenRevoked,
  spotifyPremiumLapsed,
  spotifyDrift,
  extractCrash,
  extractTimeout,
  transformCrash,
  crawlerRunning,
  crawlerFailed,
  crawlerStuck,
  validationFailed,
] as const satisfies readonly Fault[];

export type FaultName = (typeof FAULTS)[number]["name"];
export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((fault) => fault.name);

const byName = new Map<string, Fault>(FAULTS.map((fault) => [fault.name, fault]));
const faultsNamed = (names: readonly FaultName[]): Fault[] => names.flatMap((name) => byName.get(name) ?? []);

/** Checks fault names before anything runs. */
export function parseFaults(names: readonly string[]): FaultName[] {
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new UnknownFaultError({ unknown, known: FAULTS });
  return [...new Set(names)] as FaultName[];
}

/** Whether the fault is the sample API's. */
export const isSpotifyFault = (name: FaultName): boolean => byName.get(name)?.target === "spotify";

/** The sample API's fault switches for the spotify-* faults, fresh per call (the others are not the sample API's). */
export function sampleFaultsFor(names: readonly FaultName[]): SampleFaults {
  return Object.assign(
    {},
    ...faultsNamed(names)
      .filter((fault): fault is SpotifyFaultDeclaration => fault.target === "spotify")
      .map((fault) => fault.apply()),
  );
}

/**
 * Wraps one execution's handlers and stand-ins in the engine faults asked for (the spotify-* faults are the sample
 * API's and are ignored here). With no engine faults it returns the services as they are.
 */
export function withFaults(services: LocalServices, names: readonly FaultName[]): LocalServices {
  return faultsNamed(names)
    .filter((fault): fault is EngineFaultDeclaration => fault.target !== "spotify")
    .reduce(wrapTarget, services);
}

/** The services with the one its fault targets replaced by the fault's wrapper. */
function wrapTarget(services: LocalServices, fault: EngineFaultDeclaration): LocalServices {
  const { handlers } = services;
  switch (fault.target) {
    case "extract":
      return { ...services, handlers: { ...handlers, extract: fault.apply(handlers.extract) } };
    case "transform":
      return { ...services, handlers: { ...handlers, transform: fault.apply(handlers.transform) } };
    case "glue":
      return { ...services, glue: fault.apply(services.glue) };
    case "athena":
      return { ...services, athena: fault.apply(services.athena) };
  }
}
