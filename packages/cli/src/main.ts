/**
 * The process entry of the `tunelake` command (bin/tunelake.mjs runs it, compiled or through tsx): one invocation of
 * cli.ts on the process's own streams and environment.
 */
import "@tunelake/local/polyfills";
import { invokeCli } from "./cli.ts";
import { quietOnBrokenPipe } from "./context.ts";

quietOnBrokenPipe();
const { code, exitNow } = await invokeCli(process.argv.slice(2));
// A stop signal ended the command: handlers that were still running are abandoned (the execution says ABORTED), so
// exit now, as a killed process would.
if (exitNow) process.exit(code);
process.exitCode = code;
