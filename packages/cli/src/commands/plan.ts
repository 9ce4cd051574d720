/**
 * `tunelake plan [--date D]`: the requests the next run of a date would make, per Spotify quota bucket, before any
 * request: change checks, refreshes due, deferred (stale) work and known new work, from the config and the last
 * known state in the raw zone (locally under --home, or a stage's). The same planning code as the run
 * (packages/core/src/extract/plan-requests.ts); README "Quota and incremental runs".
 */
import { loadConfig } from "@tunelake/core/config/load";
import { planRequests, type RequestPlan } from "@tunelake/core/extract/plan-requests";
import { assertRunDate, todayUtc } from "@tunelake/core/lake";
import type { Backend } from "../backend.ts";
import { cliEnv, type GlobalOptions, printJson, stdout } from "../context.ts";

export interface PlanCommandOptions {
  date?: string;
  config: string;
  stage?: string;
}

export async function planCommand(backend: Backend, g: GlobalOptions, opts: PlanCommandOptions): Promise<void> {
  const date = assertRunDate(opts.date ?? todayUtc());
  const config = await loadConfig(opts.config);
  const userToken = Boolean(cliEnv().SPOTIFY_REFRESH_TOKEN);
  const plan = await planRequests({ config, date, store: backend.raw(), userToken });
  if (g.json) printJson(plan);
  else stdout().write(planText(plan));
}

/** The plan as lines of text: per bucket, then why, then what the caps would stop. */
export function planText(plan: RequestPlan): string {
  const lines = [
    `Plan for ${plan.date}: ${plan.requests.total} requests${plan.base ? ` (last known state: ${plan.base})` : " (no earlier day: everything is new)"}`,
    ...Object.entries(plan.requests.byBucket).map(([bucket, n]) => `  ${bucket.padEnd(14)} ${String(n).padStart(6)}`),
    `Why: ${plan.byReason.check} change checks, ${plan.byReason.refresh} refreshes, ${plan.byReason.deferred} deferred, ${plan.byReason.new} new work (at least).`,
    `Objects: ${plan.objects.carried} carried forward, ${plan.objects.refresh} refreshed, ${plan.objects.deferred} deferred, ${plan.objects.new} new.`,
    ...plan.deferredFrom.map((s) => `Deferred from ${s.since}: ${s.source} (${s.bucket} quota bucket exhausted).`),
    ...plan.overBudget.map(
      (o) =>
        `Over budget: ${o.bucket} needs ${o.requests} requests, extract.quota caps it at ${o.cap}; the rest is carried forward stale.`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
