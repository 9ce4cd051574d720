import type { Execution } from "@tunelake/core/ports";
import { endedBadly } from "@tunelake/core/workflow/execution-record";
import pc from "picocolors";
import type { Backend } from "../backend.ts";
import { type GlobalOptions, printJson, stdout } from "../context.ts";
import { resolveExecutionName } from "../execution-name.ts";
import { newTable, terminalSafe } from "../table.ts";

const colour = (status: string) =>
  status === "SUCCEEDED" ? pc.green(status) : status === "RUNNING" ? pc.cyan(status) : pc.red(status);

/** `tunelake executions`: like the Step Functions console's list, in either mode. */
export async function executionsCommand({ runs, flag }: Backend, g: GlobalOptions): Promise<void> {
  const executions = await runs.list();
  if (g.json) return printJson(executions);
  if (executions.length === 0) {
    stdout().write(`No executions in ${runs.location}. Start one with: npx tunelake run${flag}\n`);
    return;
  }
  // Where a redrive would resume, for the executions that ended badly (read from each one's history).
  const failedStages = new Map(
    await Promise.all(
      executions
        .filter((e) => endedBadly(e.status))
        .map(async (e: Execution) => [e.name, (await runs.describe(e.name)).failedStage ?? ""] as const),
    ),
  );
  const table = newTable(["name", "status", "started", "stopped", "failed stage", "redrives"]);
  for (const e of executions) {
    table.push([
      terminalSafe(e.name),
      colour(e.status),
      e.startDate,
      e.stopDate ?? "",
      failedStages.get(e.name) ?? "",
      String(e.redriveCount),
    ]);
  }
  stdout().write(`${table.toString()}\n`);
}

/** The detail a person wants per event: state name, error, cause. */
export function eventDetail(event: Record<string, unknown>): string {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith("EventDetails") || !value || typeof value !== "object") continue;
    const d = value as Record<string, unknown>;
    const parts = [
      d.name,
      d.resourceType && d.resource ? `${d.resourceType}:${d.resource}` : undefined,
      d.error,
      d.cause,
    ]
      .filter((p) => typeof p === "string" && p.length > 0)
      .map((p) => String(p));
    const text = parts.join("  ");
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
  }
  return "";
}

/** `tunelake history <name>`: a readable table, or `--json` the events as GetExecutionHistory returns them. */
export async function historyCommand(backend: Backend, g: GlobalOptions, given: string): Promise<void> {
  const events = await backend.runs.history(await resolveExecutionName(backend, given));
  if (g.json) return printJson({ events });
  const table = newTable(["id", "time", "type", "detail"]);
  for (const e of events) {
    const time = new Date(e.timestamp).toISOString().slice(11, 23);
    const type = e.type.endsWith("Failed") || e.type.endsWith("TimedOut") ? pc.red(e.type) : e.type;
    table.push([String(e.id), time, type, terminalSafe(eventDetail(e))]);
  }
  stdout().write(`${table.toString()}\n`);
}
