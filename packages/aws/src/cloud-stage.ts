/** Opens a deployed stage for one CLI command: its outputs and SDK clients in the stage's region. */

import type { StageOutputs } from "@tunelake/core/stage-outputs";
import {
  type CloudClientOptions,
  type CloudClients,
  createCloudClients,
  destroyCloudClients,
} from "./cloud-clients.ts";
import { resolveStage } from "./resolve-stage.ts";

export interface CloudStageOptions {
  /** The stage name (resolved with {@link resolveStage}) or its outputs, already resolved. */
  stage: string | StageOutputs;
  /** Clients to use instead of new ones (tests inject clients bound to moto_server). */
  clients?: Partial<CloudClients>;
  /** For the clients created here; the region defaults to the stage's `Region` output. */
  clientOptions?: CloudClientOptions;
  /** Project root with `.sst/outputs.json` (default: current directory). */
  root?: string;
  outputsFile?: string;
}

export interface CloudStage {
  outputs: StageOutputs;
  clients: CloudClients;
  /** Releases the clients created by {@link openStage} (not injected ones). */
  close: () => void;
}

/** Resolves the stage and creates the clients a command needs. */
export async function openStage(options: CloudStageOptions): Promise<CloudStage> {
  const created: Partial<CloudClients> = {};
  let outputs: StageOutputs;
  if (typeof options.stage === "string") {
    const lookup = options.clients?.cloudFormation ?? createCloudClients(options.clientOptions).cloudFormation;
    if (!options.clients?.cloudFormation) created.cloudFormation = lookup;
    outputs = await resolveStage(options.stage, {
      root: options.root,
      outputsFile: options.outputsFile,
      cloudFormation: lookup,
    });
  } else {
    outputs = options.stage;
  }
  const clients = createCloudClients(
    { ...options.clientOptions, region: options.clientOptions?.region ?? outputs.region },
    { ...created, ...options.clients },
  );
  for (const key of ["sfn", "athena", "glue"] as const) if (!options.clients?.[key]) created[key] = clients[key];
  return { outputs, clients, close: () => destroyCloudClients(created) };
}

/** Runs `fn` with an opened stage and always closes it. */
export async function withStage<T>(options: CloudStageOptions, fn: (stage: CloudStage) => Promise<T>): Promise<T> {
  const stage = await openStage(options);
  try {
    return await fn(stage);
  } finally {
    stage.close();
  }
}
