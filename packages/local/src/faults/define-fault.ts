/**
 * What a fault is: one declaration (`{ name, description, target, apply }`) per file of this folder, gathered by the
 * registry (index.ts). A `spotify` fault is a switch of the sample API, which its fault middleware applies; every other
 * target is a wrapper around one execution's Lambda handlers or its Glue and Athena stand-ins, which expose their state
 * and never know about faults.
 */
import type { SampleFaults } from "@tunelake/sample-api/sample-server";
import type { LocalAthena } from "../athena.ts";
import type { LocalGlue } from "../glue.ts";
import type { LocalHandlers } from "../handlers.ts";

/** What the engine faults wrap: one execution's Lambda handlers and its Glue and Athena stand-ins. */
export interface LocalServices {
  handlers: LocalHandlers;
  glue: LocalGlue;
  athena: LocalAthena;
}

/** What an engine fault can wrap: one Lambda handler, or one stand-in, by the name its `target` gives. */
export interface EngineTargets {
  extract: LocalHandlers["extract"];
  transform: LocalHandlers["transform"];
  glue: LocalGlue;
  athena: LocalAthena;
}

/** Where a fault applies: the sample Spotify API, or the stage whose handler or stand-in it wraps. */
export type FaultTarget = "spotify" | keyof EngineTargets;

interface FaultDeclaration<N extends string> {
  /** What `--inject-fault` takes. */
  name: N;
  /** What it does and what the run does about it (the CLI's refusal of an unknown fault lists it). */
  description: string;
}

/** A fault of the sample API: the fresh switches of one run (the server counts them down in the object it gets). */
export interface SpotifyFaultDeclaration<N extends string = string> extends FaultDeclaration<N> {
  target: "spotify";
  apply: () => SampleFaults;
}

/**
 * A fault of the local engine: `apply` gets the one handler or stand-in its `target` names, of one execution, and
 * returns what replaces it there; each wrapper keeps its own state (a first attempt).
 */
export type EngineFaultDeclaration<N extends string = string> = {
  [T in keyof EngineTargets]: FaultDeclaration<N> & {
    target: T;
    apply: (service: EngineTargets[T]) => EngineTargets[T];
  };
}[keyof EngineTargets];

export type Fault<N extends string = string> = SpotifyFaultDeclaration<N> | EngineFaultDeclaration<N>;

/** Declares one fault (the name's literal type is kept, so the registry derives the names' type). */
export const defineFault = <const N extends string, F extends Fault<N>>(fault: F & { name: N }): F => fault;
