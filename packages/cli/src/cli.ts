/**
 * The `tunelake` command (README "The CLI"). Commander parses arguments (a well-kept parser with help, variadic
 * options and subcommands, instead of hand-rolled argv handling); each command lives in ./commands and is loaded only
 * when it runs, so `--version`, `--help` and a usage error load none of DuckDB, the AWS SDK, the engine or the console.
 * A command that drives a pipeline is handed the backend (backend.ts), built here once from the flags before it runs
 * and closed after it: commands use its ports and never import an adapter.
 *
 * `runCli(argv, io)` runs one invocation in-process with its own stdout, stderr and environment and returns the exit
 * status: the tests drive the CLI through it; bin/tunelake.mjs (through main.ts) is the same call on the process's
 * own streams.
 */
import { readFileSync } from "node:fs";
import { RESUMABLE_STAGES } from "@tunelake/core/workflow/state-names";
import { FAULT_NAMES } from "@tunelake/local/faults/index";
import type { SourceFlag } from "@tunelake/local/spotify-source";
import { Command, CommanderError, Option } from "commander";
import type { Backend } from "./backend.ts";
import { snowflakeCommand } from "./commands/snowflake.ts";
import {
  type CliIo,
  EXIT_CODES,
  type GlobalOptions,
  reportError,
  resolveHome,
  setExitCode,
  stderr,
  stdout,
  withInvocation,
} from "./context.ts";

const version = (): string =>
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

const stageOption = () => new Option("--stage <stage>", "operate the stack deployed with `sst deploy --stage`");
const configOption = () => new Option("--config <file>", "sources config").default("tunelake.config.json");
const sourceOption = () =>
  new Option("--source <source>", "Spotify data source").choices(["auto", "spotify", "sample"]).default("auto");
/** `--no-wait` (Commander sets `wait: false`): start the execution and return, without progress or summary. */
const noWaitOption = () => new Option("--no-wait", "only start it; follow it with `tunelake history`");
const collect = (value: string, previous: string[]) => [...previous, value];
/** `--json` listed in the help of each command that has it (the global option is what parses it). */
const jsonOption = () => new Option("--json", "machine-readable output on stdout");

/** The command tree: a new one per invocation, so that parsed options never leak from one invocation to the next. */
function buildProgram(): Command {
  const program = new Command()
    .name("tunelake")
    .version(version(), "-V, --version", "print the tunelake version")
    // Usage errors exit 2 (bad input); help and --version exit 0.
    .exitOverride()
    .description("Spotify Web API -> analytics-ready data lake. Runs locally (files + DuckDB) or on AWS (--stage).")
    .option("--home <dir>", "local state: lake, catalog, executions (env TUNELAKE_HOME)", undefined)
    .option("--json", "machine-readable output", false)
    .showHelpAfterError();

  program
    .command("run")
    .description("run the pipeline's state machine for a date (locally unless --stage)")
    .option("--date <YYYY-MM-DD>", "run date (default: today, UTC)")
    .addOption(configOption())
    .addOption(sourceOption())
    .option("--reprocess", "skip Extract: rebuild the curated tables from the raw zone", false)
    .option("--refetch", "start the date's extract over instead of continuing an unfinished one's checkpoint", false)
    .addOption(new Option("--resume-from <stage>", "start at this stage").choices(RESUMABLE_STAGES))
    .option("--inject-fault <name>", "try a failure path locally (repeatable; see `tunelake run --help`)", collect, [])
    .addOption(stageOption())
    .addOption(noWaitOption())
    .addHelpText("after", `\nFaults for --inject-fault: ${FAULT_NAMES.join(", ")}.`)
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/run.ts")).runCommand));

  program
    .command("plan")
    .description("the requests per Spotify quota bucket the next run of a date would make, before any request")
    .option("--date <YYYY-MM-DD>", "run date (default: today, UTC)")
    .addOption(configOption())
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/plan.ts")).planCommand));

  program
    .command("query")
    .description("run SQL on the curated tables (DuckDB locally, Athena with --stage)")
    .argument("<sql>", "one SELECT; the tables are named as in Athena")
    .option("--timeout <seconds>", "stop the query after this long (default 30, env TUNELAKE_QUERY_TIMEOUT_SECONDS)")
    .option("--max-rows <n>", "return at most n rows, saying so (default 10000, env TUNELAKE_QUERY_MAX_ROWS)")
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/query.ts")).queryCommand));

  program
    .command("executions")
    .description("list executions, newest first")
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/executions.ts")).executionsCommand));

  program
    .command("history")
    .description("show an execution's event history")
    .argument("<name>", "execution name (the run date, with a suffix for reruns), or latest for the newest")
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/executions.ts")).historyCommand));

  program
    .command("redrive")
    .description("resume a failed execution at the stage that failed")
    .argument("<name>", "execution name, or latest for the newest")
    .addOption(configOption())
    .addOption(sourceOption())
    .addOption(stageOption())
    .addOption(noWaitOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/redrive.ts")).redriveCommand));

  program
    .command("reprocess")
    .description("rebuild the curated tables of a range of dates from the raw zone (one reprocess execution per date)")
    .requiredOption("--from <YYYY-MM-DD>", "first date")
    .requiredOption("--to <YYYY-MM-DD>", "last date (included)")
    .option("--concurrency <n>", "dates rebuilt at once (1-8; on a stage, executions running at once)", "2")
    .addOption(stageOption())
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/reprocess.ts")).reprocessCommand));

  program
    .command("console")
    .description("serve the web console on 127.0.0.1: executions, graph, history, lake (locally unless --stage)")
    .option("--port <port>", "port to listen on (default: a free one)")
    .addOption(configOption())
    .addOption(sourceOption())
    .addOption(stageOption())
    .action(driving(async () => (await import("./commands/console.ts")).consoleCommand));

  program
    .command("doctor")
    .description(
      "check Node, DuckDB, the config, the credentials and the home (stale locks, dead runs, a stuck crawler); exit 1 when something needs fixing",
    )
    .addOption(configOption())
    .option("--fix", "mark runs whose process is gone FAILED, remove stale locks, reset a crawler nobody runs", false)
    .addOption(new Option("--stage <stage>", "also check the deployed stage's outputs and the caller's permissions"))
    .addOption(jsonOption())
    .action(driving(async () => (await import("./commands/doctor.ts")).doctorCommand));

  program
    .command("definition")
    .description("print the state machine definition (ASL JSON, with placeholders for ARNs)")
    .action(async () => (await import("./commands/definition.ts")).definitionCommand());

  program
    .command("schema")
    .description("print the JSON Schema of tunelake.config.json (for editors)")
    .option("--out <file>", "write it to a file instead")
    .action(async (opts) => (await import("./commands/schema.ts")).schemaCommand(opts));

  program
    .command("auth")
    .description("authorize a Spotify user (authorization-code flow) and print a refresh token for user-scoped sources")
    .option("--port <port>", "local port of the redirect URI http://127.0.0.1:PORT/callback", "8888")
    .option("--scopes <scopes>", "space-separated scopes (default: every scope the user sources declare)")
    .addOption(jsonOption())
    .action(async (opts) => (await import("./commands/auth.ts")).authCommand(globals(), opts));

  program.addCommand(snowflakeCommand(driving));

  program.addHelpText(
    "after",
    `
With no Spotify credentials (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET) the built-in sample API is used.
Exit status: ${EXIT_CODES.success} success, ${EXIT_CODES.pipelineFailure} the pipeline (or a command) failed, ${EXIT_CODES.badInput} bad input (usage, config, unknown execution, a refused query).`,
  );
  // Every command, the snowflake group's too, writes through the invocation's streams and exits through
  // exitOverride: usage errors exit 2 (bad input), help and --version 0.
  const output = { writeOut: (s: string) => stdout().write(s), writeErr: (s: string) => stderr().write(s) };
  const configure = (command: Command) => {
    command.exitOverride().configureOutput(output);
    for (const sub of command.commands) configure(sub);
  };
  configure(program);
  return program;

  function globals(): GlobalOptions {
    const opts = program.opts<{ home?: string; json: boolean }>();
    return { home: resolveHome(opts.home), json: opts.json };
  }

  /**
   * The action of a command that drives a pipeline: the backend is built once from the flags (`--home`, and the
   * command's `--stage`, `--config`, `--source`, `--inject-fault`) before the command runs, handed to it with the
   * global options and Commander's arguments, and closed after it.
   */
  function driving<A extends unknown[]>(
    command: () => Promise<(backend: Backend, g: GlobalOptions, ...args: A) => Promise<void>>,
  ): (...args: unknown[]) => Promise<void> {
    return async (...args) => {
      // Commander passes the arguments, then the command's options, then the command itself.
      const flags = (args.at(-1) as Command).opts<BackendFlagOptions>();
      const g = globals();
      // Loaded here, not at startup: --version and --help never need it.
      const { openBackend } = await import("./backend.ts");
      const backend = openBackend({
        home: g.home,
        ...(flags.stage ? { stage: flags.stage } : {}),
        ...(flags.config ? { config: flags.config } : {}),
        ...(flags.source ? { source: flags.source } : {}),
        ...(flags.injectFault ? { injectFault: flags.injectFault } : {}),
      });
      try {
        await (await command())(backend, g, ...(args.slice(0, -1) as A));
      } finally {
        await backend.close();
      }
    };
  }
}

/** The command options a backend is built from (each command has the ones that apply to it). */
interface BackendFlagOptions {
  stage?: string;
  config?: string;
  source?: SourceFlag;
  injectFault?: string[];
}

/**
 * Runs one CLI invocation (`argv` without node and the script, e.g. `["query", "SELECT 1"]`) and returns its exit
 * status and whether a stop signal ended it (the process entry then exits at once).
 */
export async function invokeCli(argv: readonly string[], io: Partial<CliIo> = {}) {
  return withInvocation(io, async () => {
    const program = buildProgram();
    try {
      await program.parseAsync([...argv], { from: "user" });
    } catch (error) {
      if (error instanceof CommanderError) {
        // Commander has already printed the message (and the help after an error).
        setExitCode(error.exitCode === 0 ? EXIT_CODES.success : EXIT_CODES.badInput);
      } else {
        reportError(error, program.opts<{ json?: boolean }>().json ?? false);
      }
    }
  });
}

/** Runs one CLI invocation in-process with its own streams and environment; resolves to the exit status. */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  return (await invokeCli(argv, io)).code;
}
