/** `--stage S`: the same commands against the stack deployed with `sst deploy --stage S`. */
import {
  cloudHistory,
  cloudListExecutions,
  cloudQuery,
  cloudRedrive,
  cloudStartRun,
  resolveStage,
} from "@tunelake/aws/index";
import type { ResumableStage } from "@tunelake/core/workflow/state-names";
import { type GlobalOptions, printJson } from "../context.ts";
import { eventDetail } from "./executions.ts";
import { printRows } from "./query.ts";

export async function cloudRunCommand(
  g: GlobalOptions,
  stage: string,
  input: { date: string; reprocess: boolean; resumeFrom?: ResumableStage; refetch?: boolean },
): Promise<void> {
  const outputs = await resolveStage(stage);
  const started = await cloudStartRun({ stage: outputs, ...input });
  if (g.json) return printJson(started);
  process.stdout.write(
    `Started ${started.name}\n${started.executionArn}\nFollow it with: npx tunelake history ${started.name} --stage ${stage}\n`,
  );
}

export async function cloudExecutionsCommand(g: GlobalOptions, stage: string): Promise<void> {
  const executions = await cloudListExecutions({ stage: await resolveStage(stage) });
  if (g.json) return printJson(executions);
  printRows(
    g,
    executions.map((e) => ({
      name: e.name,
      status: e.status,
      date: e.date,
      started: e.startDate,
      stopped: e.stopDate ?? "",
    })),
  );
}

export async function cloudHistoryCommand(g: GlobalOptions, stage: string, name: string): Promise<void> {
  const events = await cloudHistory({ stage: await resolveStage(stage), name });
  if (g.json) return printJson({ events });
  for (const e of events) {
    const detail = eventDetail(e);
    process.stdout.write(`${String(e.id).padStart(4)}  ${e.timestamp}  ${e.type}  ${detail}\n`);
  }
}

export async function cloudRedriveCommand(g: GlobalOptions, stage: string, name: string): Promise<void> {
  const result = await cloudRedrive({ stage: await resolveStage(stage), name });
  if (g.json) return printJson(result);
  process.stdout.write(
    `Redrove ${result.redriveOf} as ${result.execution.name}, resuming at ${result.resumedFrom}\n${result.execution.executionArn}\n`,
  );
}

export async function cloudQueryCommand(g: GlobalOptions, stage: string, sql: string): Promise<void> {
  const result = await cloudQuery(sql, { stage: await resolveStage(stage) });
  printRows(g, result.rows);
}
