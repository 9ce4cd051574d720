import { getHistory, listExecutions } from "@tunelake/local/executions";
import pc from "picocolors";
import { type GlobalOptions, printJson } from "../context.ts";
import { resolveExecutionName } from "../execution-name.ts";
import { newTable } from "../table.ts";
import { cloudExecutionsCommand, cloudHistoryCommand } from "./cloud.ts";

const colour = (status: string) =>
  status === "SUCCEEDED" ? pc.green(status) : status === "RUNNING" ? pc.cyan(status) : pc.red(status);

/** `tunelake executions`: like the Step Functions console's list. */
export async function executionsCommand(g: GlobalOptions, opts: { stage?: string }): Promise<void> {
  if (opts.stage) return cloudExecutionsCommand(g, opts.stage);
  const executions = await listExecutions(g.home);
  if (g.json) return printJson(executions);
  if (executions.length === 0) {
    process.stdout.write(`No executions in ${g.home}. Start one with: npm run pipeline\n`);
    return;
  }
  const table = newTable(["name", "status", "started", "stopped", "failed stage", "redrives"]);
  for (const e of executions) {
    table.push([
      e.name,
      colour(e.status),
      e.startDate ?? "",
      e.stopDate ?? "",
      e.failedStage ?? "",
      String(e.redriveCount ?? 0),
    ]);
  }
  process.stdout.write(`${table.toString()}\n`);
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
export async function historyCommand(g: GlobalOptions, given: string, opts: { stage?: string }): Promise<void> {
  const name = await resolveExecutionName(g.home, given, opts.stage);
  if (opts.stage) return cloudHistoryCommand(g, opts.stage, name);
  const events = await getHistory(g.home, name);
  if (g.json) return printJson({ events });
  const table = newTable(["id", "time", "type", "detail"]);
  for (const e of events) {
    const time = new Date(e.timestamp).toISOString().slice(11, 23);
    const type = e.type.endsWith("Failed") || e.type.endsWith("TimedOut") ? pc.red(e.type) : e.type;
    table.push([String(e.id), time, type, eventDetail(e)]);
  }
  process.stdout.write(`${table.toString()}\n`);
}
