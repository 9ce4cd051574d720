/**
 * What the stages hand each other through the state machine. Payloads stay small: keys and counts, never data.
 */
import type { RawEntity, TransformEntity } from "./lake.ts";

/** Input of every stage: the run date, and where the run came from. */
export interface StageInput {
  date: string;
}

/**
 * Returned by Extract (the manifest summary; counts so far while `done` is false). The whole manifest is at
 * `manifestKey` in the raw zone once the extract is done.
 */
export interface ExtractResult {
  date: string;
  /**
   * False when a time slice stopped before the end (its deadline, or a Retry-After to wait out): the state machine
   * waits `waitSeconds` and calls Extract again, which continues from the checkpoint.
   */
  done: boolean;
  waitSeconds: number;
  manifestKey: string;
  /** `development` or `extended`: what the run used after `auto` probed. */
  accessProfile: "development" | "extended";
  /** Objects written per raw entity (zero for entities with nothing this run). */
  objects: Partial<Record<RawEntity, number>>;
  /** Raw keys written. */
  keys: string[];
  requests: number;
  retries: number;
  rejects: number;
  /** `sample` when the data came from the built-in sample API. */
  dataSource: "spotify" | "sample";
}

export interface TableResult {
  table: string;
  rows: number;
  rejects: number;
  key: string;
}

/** Returned by one Transform invocation. */
export interface TransformResult {
  entity: TransformEntity;
  date: string;
  tables: TableResult[];
  /** Total rows written across `tables`. */
  rows: number;
  /** Curated keys written. */
  keys: string[];
}
