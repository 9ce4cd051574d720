/**
 * The two backends the port contract tests drive: the local one over a temp home (the in-process handlers of
 * @tunelake/local/handlers against the sample API on 127.0.0.1) and the AWS one over moto_server, with the stage
 * resolved through moto's CloudFormation from a checkout that has no `.sst/outputs.json`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@tunelake/core/config/load";
import { silentLogger } from "@tunelake/core/logger";
import type { LocalHandlers } from "@tunelake/local/engine";
import { createLocalHandlers } from "@tunelake/local/handlers";
import { type SampleServer, sampleEnv, startSampleServer } from "@tunelake/sample-api/sample-server";
import { type MotoStage, openMotoStage } from "../moto-stage.ts";

/** The repository's own config: what `npm run pipeline` runs against the sample API. */
export const REPO_CONFIG = new URL("../../../../tunelake.config.json", import.meta.url).pathname;

/** Fast local engine settings for tests. */
export const FAST_TUNING = { retryIntervalMs: 5, crawlerPollMs: 5, spotifyWaitMs: 5, stderr: () => undefined };

export interface LocalBackend {
  home: string;
  sample: SampleServer;
  /** The handlers, with a gate extracts and transforms wait at while `hold` is set (to keep a run RUNNING). */
  handlers: () => Promise<LocalHandlers>;
  hold: { gate: Promise<void> | undefined; release: () => void };
  close: () => Promise<void>;
}

export async function openLocalBackend(): Promise<LocalBackend> {
  const home = await mkdtemp(join(tmpdir(), "tunelake-ports-"));
  const sample = await startSampleServer();
  const config = await loadConfig(REPO_CONFIG);
  const real = createLocalHandlers({
    home,
    config,
    spotify: sampleEnv(sample),
    dataSource: "sample",
    logger: silentLogger,
  });
  const hold: LocalBackend["hold"] = { gate: undefined, release: () => undefined };
  const handlers: LocalHandlers = {
    async extract(input, context) {
      if (hold.gate) await hold.gate;
      return real.extract(input, context);
    },
    async transform(input) {
      if (hold.gate) await hold.gate;
      return real.transform(input);
    },
  };
  return {
    home,
    sample,
    handlers: async () => handlers,
    hold,
    close: async () => {
      hold.release();
      await sample.close();
      // A held extract released just now may still be writing its checkpoint: retry while the folder fills.
      await rm(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** Sets the gate: extracts and transforms wait until the returned release is called. */
export function holdExtracts(backend: LocalBackend): () => void {
  let release!: () => void;
  backend.hold.gate = new Promise<void>((resolve) => {
    release = () => {
      backend.hold.gate = undefined;
      resolve();
    };
  });
  backend.hold.release = release;
  return release;
}

export type AwsBackend = MotoStage;

/** The shared moto stage fixture (moto-stage.ts): moto_server, the stand-in state machine, the stage's stack. */
export const openAwsBackend = (stage: string): Promise<AwsBackend> => openMotoStage(stage);

/** The keys of an object with the type of each value: what both adapters must agree on. */
export function shapeOf(value: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v === null ? "null" : Array.isArray(v) ? "array" : typeof v])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
}
