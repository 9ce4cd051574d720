/** Where the local engine keeps things under the tunelake home (`.tunelake` by default). */
import { statSync } from "node:fs";
import { join } from "node:path";
import { assertExecutionName } from "@tunelake/core/workflow/run-names";
import { HomeInvalidError } from "./errors.ts";

/** Characters DuckDB reads as a glob in a file path: a home holding one would read other folders' files. */
const GLOB_CHARACTERS = /[*?[]/;

export const localPaths = (home: string) => {
  if (GLOB_CHARACTERS.test(home)) {
    throw new HomeInvalidError({ home, problem: "glob" });
  }
  return {
    curated: join(home, "lake", "curated"),
    raw: join(home, "lake", "raw"),
    catalog: join(home, "catalog"),
    catalogFile: join(home, "catalog", "tables.json"),
    crawlerFile: join(home, "catalog", "crawler.json"),
    athena: join(home, "athena"),
    outbox: join(home, "outbox"),
    executions: join(home, "executions"),
    /** An execution's folder; a name that is not one (`../../x`) is refused before any path is built. */
    execution: (name: string) => join(home, "executions", assertExecutionName(name)),
    locks: join(home, "executions", ".locks"),
  };
};

/**
 * Checks that `home` can be a tunelake home before anything is read or written under it: no glob characters in its
 * path, and a folder (or nothing yet) rather than a file. Throws HomeInvalidError (bad input) naming it.
 */
export function checkLocalHome(home: string): string {
  localPaths(home);
  const stat = statSync(home, { throwIfNoEntry: false });
  if (stat && !stat.isDirectory()) throw new HomeInvalidError({ home, problem: "file" });
  return home;
}
