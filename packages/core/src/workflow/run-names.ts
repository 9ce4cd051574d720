/**
 * Execution names, the same in both backends: a run is named after its run date, and a rerun of a date takes the
 * first free suffix (`2026-11-20`, `2026-11-20-2`, `2026-11-20-3`...). Scheduled executions on AWS carry a random
 * name instead; their run date is in their input.
 */

import { InputError } from "../errors.ts";

/**
 * Every execution name, in both backends and every command: the plain part of Step Functions' character set (letters,
 * digits, `.`, `-` and `_`, at most 80), starting with a letter or digit. Nothing else reaches a path or an API call, so `../../x`,
 * `.locks` or a name with a slash is refused as bad input before anything is built from it.
 */
export const EXECUTION_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/;

/** `name` when it is a valid execution name ({@link EXECUTION_NAME_RE}); else InputError (bad input, exit 2). */
export function assertExecutionName(name: string): string {
  if (typeof name !== "string" || !EXECUTION_NAME_RE.test(name)) {
    throw new InputError({ reason: "executionName", name: String(name) });
  }
  return name;
}

const RUN_NAME_RE = /^(\d{4}-\d{2}-\d{2})(?:-([2-9]|[1-9]\d+))?$/;

/** How many names of one date {@link nextRunName} tries before it gives up. */
export const MAX_RUNS_PER_DATE = 999;

/** The name of the `n`th run of a date (`n` from 1): the date, then `<date>-2`, `<date>-3`... */
export function runName(date: string, n: number): string {
  return n <= 1 ? date : `${date}-${n}`;
}

/** The run date a name carries (`2026-11-20-2` → `2026-11-20`), or undefined for a name not made by {@link runName}. */
export function runDateOfName(name: string): string | undefined {
  return RUN_NAME_RE.exec(name)?.[1];
}

/** The first name of `date` not in `takenNames`; undefined when all {@link MAX_RUNS_PER_DATE} are taken. */
export function nextRunName(date: string, takenNames: Iterable<string>): string | undefined {
  const taken = new Set(takenNames);
  for (let n = 1; n <= MAX_RUNS_PER_DATE; n++) {
    const name = runName(date, n);
    if (!taken.has(name)) return name;
  }
  return undefined;
}
