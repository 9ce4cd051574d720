/**
 * `tunelake plan [--date D]`: the requests the next run of a date (default: the next run's) would make, per Spotify quota bucket, before any
 * request: change checks, refreshes due, deferred (stale) work and known new work, from the config and the last
 * known state in the raw zone (locally under --home, or a stage's). The same planning code as the run
 * (packages/core/src/extract/plan-requests.ts); README "Quota and incremental runs".
 */
import { loadConfig } from "@tunelake/core/config/load";
import { planRequests, type RequestPlan } from "@tunelake/core/extract/plan-requests";
import { assertRunDate, manifestKey, todayUtc } from "@tunelake/core/lake";
import type { Backend } from "../backend.ts";
import { cliEnv, type GlobalOptions, printJson, stdout } from "../context.ts";

export interface PlanCommandOptions {
  date?: string;
  config: string;
  stage?: string;
}

/**
 * The date to plan: `--date`, else the next run's: today, or tomorrow once today has run (its manifest is published),
 * since a plan of a date that ran is the plan of its rerun.
 */
async function nextRunDate(backend: Backend, date: string | undefined): Promise<{ date: string; ran?: string }> {
  if (date !== undefined) return { date: assertRunDate(date) };
  const today = todayUtc();
  if ((await backend.raw().get(manifestKey(today))) === undefined) return { date: today };
  return { date: assertRunDate(todayUtc(new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000))), ran: today };
}

export async function planCommand(backend: Backend, g: GlobalOptions, opts: PlanCommandOptions): Promise<void> {
  const { date, ran } = await nextRunDate(backend, opts.date);
  const config = await loadConfig(opts.config);
  const userToken = Boolean(cliEnv().SPOTIFY_REFRESH_TOKEN);
  const plan = await planRequests({ config, date, store: backend.raw(), userToken });
  if (g.json) printJson(plan);
  else {
    if (ran) stdout().write(`${ran} has run: the next run is ${date}'s (give --date ${ran} for a rerun's plan).\n`);
    stdout().write(planText(plan));
  }
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
