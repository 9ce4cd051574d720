/**
 * `tunelake console`: the web console on 127.0.0.1 over the same ports as the other commands, the laptop's or a
 * stage's (docs/console.md). Runs started or redriven from the page execute locally in this process.
 */
import { createCloudClients, destroyCloudClients } from "@tunelake/aws/cloud-clients";
import { createAwsQueryEngine } from "@tunelake/aws/query-engine";
import { resolveStage } from "@tunelake/aws/resolve-stage";
import { createAwsRuns } from "@tunelake/aws/runs";
import { localDefinition, stageDefinition } from "@tunelake/console/definition";
import { startConsole } from "@tunelake/console/server";
import { loadConfig } from "@tunelake/core/config/load";
import { ConfigError } from "@tunelake/core/errors";
import { createConsoleLogger } from "@tunelake/core/logger";
import type { ObjectStore, QueryEngine, Runs } from "@tunelake/core/ports";
import { S3ObjectStore } from "@tunelake/core/storage/s3-store";
import type { StateMachineDefinition } from "@tunelake/core/workflow/state-names";
import { createLocalHandlers, localStores } from "@tunelake/local/handlers";
import { createLocalQueryEngine } from "@tunelake/local/query-engine";
import { createLocalRuns } from "@tunelake/local/runs";
import type { GlobalOptions } from "../context.ts";
import { resolveSource, type SourceFlag } from "../spotify-source.ts";

export interface ConsoleCommandOptions {
  port?: string;
  stage?: string;
  config: string;
  source: SourceFlag;
}

interface ConsoleBackend {
  runs: Runs;
  query: QueryEngine;
  definition: StateMachineDefinition;
  raw: ObjectStore;
  close(): Promise<void>;
}

function localBackend(g: GlobalOptions, opts: ConsoleCommandOptions): ConsoleBackend {
  let source: Awaited<ReturnType<typeof resolveSource>> | undefined;
  const runs = createLocalRuns({
    home: g.home,
    // Loaded on the first run started or redriven from the page, as `tunelake run` would.
    handlers: async () => {
      const config = await loadConfig(opts.config);
      source ??= await resolveSource(opts.source);
      if (source.banner) process.stderr.write(`${source.banner}\n`);
      return createLocalHandlers({
        home: g.home,
        config,
        spotify: source.spotify,
        dataSource: source.dataSource,
        logger: createConsoleLogger(process.env.TUNELAKE_LOG_LEVEL === "debug" ? "debug" : "warn"),
      });
    },
  });
  const query = createLocalQueryEngine(g.home);
  return {
    runs,
    query,
    definition: localDefinition(),
    raw: localStores(g.home).raw,
    close: async () => {
      await query.close();
      await runs.close();
      await source?.close();
    },
  };
}

async function stageBackend(stage: string): Promise<ConsoleBackend> {
  const lookup = createCloudClients();
  const outputs = await resolveStage(stage, { cloudFormation: lookup.cloudFormation }).finally(() =>
    destroyCloudClients(lookup),
  );
  const runs = createAwsRuns({ stage: outputs });
  const query = createAwsQueryEngine({ stage: outputs });
  return {
    runs,
    query,
    definition: stageDefinition(outputs),
    raw: new S3ObjectStore({ bucket: outputs.rawBucket }),
    close: async () => {
      await query.close();
      await runs.close();
    },
  };
}

export async function consoleCommand(g: GlobalOptions, opts: ConsoleCommandOptions): Promise<void> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port must be a port number (0-65535), got "${opts.port}".`);
  }
  const backend = opts.stage ? await stageBackend(opts.stage) : localBackend(g, opts);
  const server = await startConsole({ ...backend, port });
  const where = opts.stage ? `stage ${opts.stage}` : g.home;
  if (g.json) process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
  else process.stdout.write(`tunelake console for ${where}: ${server.url}\n(Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  await backend.close();
}
