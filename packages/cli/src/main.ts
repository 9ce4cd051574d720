/**
 * The `tunelake` command (DESIGN §6). Commander parses arguments (a well-kept parser with help, variadic options
 * and subcommands, instead of hand-rolled argv handling); each command lives in ./commands.
 */
import "@tunelake/local/polyfills";
import { readFileSync } from "node:fs";
import { RESUMABLE_STAGES } from "@tunelake/core/workflow/state-names";
import { FAULTS } from "@tunelake/local/faults";
import { Command, CommanderError, Option } from "commander";
import { authCommand } from "./commands/auth.ts";
import { consoleCommand } from "./commands/console.ts";
import { definitionCommand } from "./commands/definition.ts";
import { executionsCommand, historyCommand } from "./commands/executions.ts";
import { queryCommand } from "./commands/query.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { reprocessCommand } from "./commands/reprocess.ts";
import { runCommand } from "./commands/run.ts";
import { schemaCommand } from "./commands/schema.ts";
import { snowflakeCommand } from "./commands/snowflake.ts";
import { EXIT_CODES, type GlobalOptions, quietOnBrokenPipe, reportError, resolveHome } from "./context.ts";

quietOnBrokenPipe();

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

const program = new Command()
  .name("tunelake")
  .version(version, "-V, --version", "print the tunelake version")
  // Usage errors exit 2 (bad input); help and --version exit 0.
  .exitOverride()
  .description("Spotify Web API -> analytics-ready data lake. Runs locally (files + DuckDB) or on AWS (--stage).")
  .option("--home <dir>", "local state: lake, catalog, executions (env TUNELAKE_HOME)", undefined)
  .option("--json", "machine-readable output", false)
  .showHelpAfterError();

function globals(): GlobalOptions {
  const opts = program.opts<{ home?: string; json: boolean }>();
  return { home: resolveHome(opts.home), json: opts.json };
}

const stageOption = () => new Option("--stage <stage>", "operate the stack deployed with `sst deploy --stage`");
const configOption = () => new Option("--config <file>", "sources config").default("tunelake.config.json");
const sourceOption = () =>
  new Option("--source <source>", "Spotify data source").choices(["auto", "spotify", "sample"]).default("auto");
/** `--no-wait` (Commander sets `wait: false`): start the execution and return, without progress or summary. */
const noWaitOption = () => new Option("--no-wait", "only start it; follow it with `tunelake history`");
const collect = (value: string, previous: string[]) => [...previous, value];
/** `--json` listed in the help of each command that has it (the global option is what parses it). */
const jsonOption = () => new Option("--json", "machine-readable output on stdout");

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
  .addHelpText("after", `\nFaults for --inject-fault: ${Object.keys(FAULTS).join(", ")}.`)
  .addOption(jsonOption())
  .action(async (opts) => runCommand(globals(), opts));

program
  .command("query")
  .description("run SQL on the curated tables (DuckDB locally, Athena with --stage)")
  .argument("<sql>", "SQL; the tables are named as in Athena")
  .addOption(stageOption())
  .addOption(jsonOption())
  .action(async (sql: string, opts) => queryCommand(globals(), sql, opts));

program
  .command("executions")
  .description("list executions, newest first")
  .addOption(stageOption())
  .addOption(jsonOption())
  .action(async (opts) => executionsCommand(globals(), opts));

program
  .command("history")
  .description("show an execution's event history")
  .argument("<name>", "execution name (the run date, with a suffix for reruns), or latest for the newest")
  .addOption(stageOption())
  .addOption(jsonOption())
  .action(async (name: string, opts) => historyCommand(globals(), name, opts));

program
  .command("redrive")
  .description("resume a failed execution at the stage that failed")
  .argument("<name>", "execution name, or latest for the newest")
  .addOption(configOption())
  .addOption(sourceOption())
  .addOption(stageOption())
  .addOption(noWaitOption())
  .addOption(jsonOption())
  .action(async (name: string, opts) => redriveCommand(globals(), name, opts));

program
  .command("reprocess")
  .description("rebuild the curated tables of a range of dates from the raw zone (one reprocess execution per date)")
  .requiredOption("--from <YYYY-MM-DD>", "first date")
  .requiredOption("--to <YYYY-MM-DD>", "last date (included)")
  .option("--concurrency <n>", "dates rebuilt at once, locally (1-8)", "2")
  .addOption(stageOption())
  .addOption(jsonOption())
  .action(async (opts) => reprocessCommand(globals(), opts));

program
  .command("console")
  .description("serve the web console on 127.0.0.1: executions, graph, history, lake (locally unless --stage)")
  .option("--port <port>", "port to listen on (default: a free one)")
  .addOption(configOption())
  .addOption(sourceOption())
  .addOption(stageOption())
  .action(async (opts) => consoleCommand(globals(), opts));

program
  .command("definition")
  .description("print the state machine definition (ASL JSON, with placeholders for ARNs)")
  .action(() => definitionCommand());

program
  .command("schema")
  .description("print the JSON Schema of tunelake.config.json (for editors)")
  .option("--out <file>", "write it to a file instead")
  .action(async (opts) => schemaCommand(opts));

program
  .command("auth")
  .description("authorize a Spotify user (authorization-code flow) and print a refresh token for user-scoped sources")
  .option("--port <port>", "local port of the redirect URI http://127.0.0.1:PORT/callback", "8888")
  .option("--scopes <scopes>", "space-separated scopes", "user-read-recently-played user-top-read")
  .addOption(jsonOption())
  .action(async (opts) => authCommand(globals(), opts));

program.addCommand(snowflakeCommand(globals));

program.addHelpText(
  "after",
  `
With no Spotify credentials (SPOTIFY_CLIENT_ID, SPOTIFY_CLIENT_SECRET) the built-in sample API is used.
Exit status: ${EXIT_CODES.success} success, ${EXIT_CODES.pipelineFailure} the pipeline (or a command) failed, ${EXIT_CODES.badInput} bad input (usage, config, unknown execution).`,
);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the message (and the help after an error).
    process.exitCode = error.exitCode === 0 ? EXIT_CODES.success : EXIT_CODES.badInput;
  } else {
    reportError(error, program.opts<{ json?: boolean }>().json ?? false);
  }
}
