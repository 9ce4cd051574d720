import { ConfigError } from "@tunelake/core/errors";

/** A variable the stack sets on the function; missing means a stale or hand-made deployment. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new ConfigError({ reason: "functionVariableMissing", variable: name });
  return value;
}
