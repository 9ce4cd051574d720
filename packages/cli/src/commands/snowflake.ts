/** `tunelake snowflake ddl`: the Snowflake SQL that loads the curated zone with Snowpipe (docs/snowflake.md). */
import { ConfigError } from "@tunelake/core/errors";
import { PLACEHOLDERS, snowflakeDdl, snowflakeReload, snowflakeScript } from "@tunelake/core/snowflake/ddl";
import { Command } from "commander";
import type { Backend } from "../backend.ts";
import { type GlobalOptions, printJson, stderr, stdout } from "../context.ts";

export interface SnowflakeDdlCommandOptions {
  stage?: string;
  database?: string;
  schema?: string;
  roleArn?: string;
  bucket?: string;
}

/** Prints the script; with `--stage` the role ARN and the bucket come from the stage's outputs. */
export async function snowflakeDdlCommand(
  backend: Backend,
  g: GlobalOptions,
  opts: SnowflakeDdlCommandOptions,
): Promise<void> {
  let { roleArn, bucket } = opts;
  const outputs = opts.stage && (!roleArn || !bucket) ? await backend.outputs() : undefined;
  if (outputs) {
    bucket ??= outputs.curatedBucket;
    roleArn ??= outputs.snowflakeRoleArn;
    if (!roleArn) {
      throw new ConfigError({ reason: "stageWithoutSnowflake", stage: outputs.stage });
    }
  }
  const ddl = snowflakeDdl({ database: opts.database, schema: opts.schema, stage: opts.stage, roleArn, bucket });
  if (g.json) {
    printJson(ddl);
    return;
  }
  for (const p of ddl.placeholders) {
    stderr().write(`tunelake: ${PLACEHOLDERS[p]} is a placeholder: replace it, or pass --stage or its flag.\n`);
  }
  stdout().write(snowflakeScript(ddl));
}

/**
 * The `snowflake` command group, registered in cli.ts; `driving` makes an action that gets the invocation's backend
 * (cli.ts).
 */
export function snowflakeCommand(
  driving: <A extends unknown[]>(
    command: () => Promise<(backend: Backend, g: GlobalOptions, ...args: A) => Promise<void>>,
  ) => (...args: unknown[]) => Promise<void>,
): Command {
  // A command built apart from the root does not inherit its exitOverride: without it a usage error here would
  // exit 1, not 2 (bad input) as everywhere else. Subcommands made below inherit it.
  const snowflake = new Command("snowflake")
    .description("load the curated zone into Snowflake with Snowpipe")
    .exitOverride();
  snowflake
    .command("ddl")
    .description("print the Snowflake SQL: integration, file format, and per table a stage, table, view and pipe")
    .option("--stage <stage>", "take the role ARN and the curated bucket from this deployed stage")
    .option("--database <name>", "Snowflake database", "TUNELAKE")
    .option("--schema <name>", "Snowflake schema", "CURATED")
    .option("--role-arn <arn>", `the stack's SnowflakeRoleArn output (else ${PLACEHOLDERS.roleArn} or --stage)`)
    .option("--bucket <name>", `the curated bucket (else ${PLACEHOLDERS.bucket} or --stage)`)
    .action(driving(async () => snowflakeDdlCommand));
  snowflake
    .command("reload")
    .description("print the forced COPY that loads a rerun date's rewritten files (Snowpipe skips known file names)")
    .requiredOption("--date <YYYY-MM-DD>", "the date that was run again")
    .option("--database <name>", "Snowflake database", "TUNELAKE")
    .option("--schema <name>", "Snowflake schema", "CURATED")
    .action((opts: { date: string; database: string; schema: string }) => {
      stdout().write(snowflakeReload(opts.date, opts));
    });
  return snowflake;
}
