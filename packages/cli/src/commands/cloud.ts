/** `--stage S`: the same commands against the stack deployed with `sst deploy --stage S`. */
import {
  cloudHistory,
  cloudListExecutions,
  cloudQuery,
  cloudRedrive,
  cloudStartRun,
  resolveStage,
} from "@tunelake/core/cloud/index";
import { type GlobalOptions, printJson } from "../context.ts";
import { eventDetail } from "./executions.ts";
import { printRows } from "./query.ts";

export async function cloudRunCommand(
  g: GlobalOptions,
  stage: string,
  input: { date: string; mode: string; resumeFrom?: string },
): Promise<void> {
  const target = await resolveStage(stage);
  const started = await cloudStartRun({
    target,
    date: input.date,
    reprocess: input.mode === "reprocess",
    resumeFrom: input.resumeFrom,
  });
  if (g.json) return printJson(started);
  process.stdout.write(
    `Started ${started.name}\n${started.executionArn}\nFollow it with: npx tunelake history ${started.name} --stage ${stage}\n`,
  );
}

export async function cloudExecutionsCommand(g: GlobalOptions, stage: string): Promise<void> {
  const executions = await cloudListExecutions({ target: await resolveStage(stage) });
  if (g.json) return printJson(executions);
  printRows(g, executions as unknown as Record<string, unknown>[]);
}

export async function cloudHistoryCommand(g: GlobalOptions, stage: string, name: string): Promise<void> {
  const events = await cloudHistory({ target: await resolveStage(stage), name });
  if (g.json) return printJson({ events });
  for (const e of events as unknown as { id: number; timestamp: string; type: string }[]) {
    process.stdout.write(
      `${String(e.id).padStart(4)}  ${new Date(e.timestamp).toISOString()}  ${e.type}  ${eventDetail(e)}\n`,
    );
  }
}

export async function cloudRedriveCommand(g: GlobalOptions, stage: string, name: string): Promise<void> {
  const started = await cloudRedrive({ target: await resolveStage(stage), name });
  if (g.json) return printJson(started);
  process.stdout.write(`Redriven as ${started.name} (resumes at ${started.resumeFrom})\n${started.executionArn}\n`);
}

export async function cloudQueryCommand(g: GlobalOptions, stage: string, sql: string): Promise<void> {
  printRows(g, await cloudQuery({ target: await resolveStage(stage), sql }));
}
