/**
 * `tunelake console`: the web console on 127.0.0.1 over the same backend as the other commands, the laptop's or a
 * stage's (docs/console.md). Runs started or redriven from the page execute locally in this process.
 */
import { ConfigError } from "@tunelake/core/errors";
import type { Backend } from "../backend.ts";
import { type GlobalOptions, stdout } from "../context.ts";

export interface ConsoleCommandOptions {
  port?: string;
  stage?: string;
}

export async function consoleCommand(backend: Backend, g: GlobalOptions, opts: ConsoleCommandOptions): Promise<void> {
  const port = opts.port === undefined ? 0 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError({ reason: "portNumber", variable: "--port", value: String(opts.port) });
  }
  // The definition the console draws: the local engine's, or the stage's with its resource names.
  const definition = await backend.runs.definition();
  const { startConsole } = await import("@tunelake/console/server");
  const server = await startConsole({
    runs: backend.runs,
    query: backend.query(),
    raw: backend.raw(),
    definition,
    port,
  });
  const where = opts.stage ? `stage ${opts.stage}` : g.home;
  if (g.json) stdout().write(`${JSON.stringify({ url: server.url, port: server.port })}\n`);
  else stdout().write(`tunelake console for ${where}: ${server.url}\n(Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
}
