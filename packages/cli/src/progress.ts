/**
 * Live progress while a local execution runs: one line per state as it starts and ends, from the execution's
 * history events (the same events `tunelake history` shows).
 */
import pc from "picocolors";

interface EventLike {
  type: string;
  timestamp?: string | number | Date;
  stateEnteredEventDetails?: { name?: string; input?: string };
  stateExitedEventDetails?: { name?: string; output?: string };
  [key: string]: unknown;
}

function describeInput(input: string | undefined): string {
  if (!input) return "";
  try {
    const parsed = JSON.parse(input) as { entity?: string };
    return parsed.entity ? ` ${pc.dim(parsed.entity)}` : "";
  } catch {
    return "";
  }
}

function failureOf(event: EventLike): string | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("FailedEventDetails") && value && typeof value === "object") {
      const { error, cause } = value as { error?: string; cause?: string };
      return [error, cause].filter(Boolean).join(": ");
    }
  }
  return undefined;
}

/** Returns an `onEvent` callback that writes progress lines to `write` (stderr by default, so --json stays clean). */
export function createProgress(
  write: (line: string) => void = (l) => process.stderr.write(l),
): (event: unknown) => void {
  const started = new Map<string, number>();
  // States whose task failed (then were caught): they exit with a cross, not a tick.
  const failed = new Set<string>();
  return (raw) => {
    const event = raw as EventLike;
    const now = Date.now();
    if (event.type.endsWith("StateEntered")) {
      const name = event.stateEnteredEventDetails?.name ?? "?";
      const key = `${name}${describeInput(event.stateEnteredEventDetails?.input)}`;
      started.set(key, now);
      write(`${pc.cyan("▸")} ${key}\n`);
    } else if (event.type.endsWith("StateExited")) {
      const name = event.stateExitedEventDetails?.name ?? "?";
      const match = [...started.keys()].find((k) => k === name || k.startsWith(`${name} `));
      const since = match ? started.get(match) : undefined;
      if (match) started.delete(match);
      const took = since === undefined ? "" : pc.dim(` ${((now - since) / 1000).toFixed(1)}s`);
      const wasCaught = failed.delete(name);
      write(`${wasCaught ? pc.red("✗") : pc.green("✓")} ${match ?? name}${took}\n`);
    } else if (event.type === "ExecutionRedriven") {
      write(`${pc.yellow("↻")} redriven\n`);
    } else {
      const failure = failureOf(event);
      if (failure) {
        const open = [...started.keys()].at(-1);
        if (open && event.type === "TaskFailed") failed.add(open.split(" ")[0] ?? open);
        write(`  ${pc.red(event.type)}: ${failure}\n`);
      }
    }
  };
}
