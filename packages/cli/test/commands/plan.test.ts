import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { RequestPlan } from "@tunelake/core/extract/plan-requests";
import { manifestKey, todayUtc } from "@tunelake/core/lake";
import { QUOTA_BUCKETS } from "@tunelake/core/spotify/quota-buckets";
import { afterEach, describe, expect, it } from "vitest";
import { planText } from "../../src/commands/plan.ts";
import { tunelake } from "../helpers.ts";

const homes: string[] = [];
afterEach(async () => {
  await Promise.all(homes.splice(0).map((home) => rm(home, { recursive: true, force: true })));
});

describe("tunelake plan", () => {
  it("prints the requests per quota bucket of a home's next run, as JSON and as text, without a request", async () => {
    // Prepare
    const home = await mkdtemp(path.join(os.tmpdir(), "tunelake-plan-"));
    homes.push(home);
    // Act
    const json = await tunelake(["--home", home, "plan", "--date", "2026-11-20", "--json"]);
    const text = await tunelake(["--home", home, "plan", "--date", "2026-11-20"]);
    // Assess
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.stdout) as RequestPlan;
    expect(plan.base).toBeNull();
    expect(Object.keys(plan.requests.byBucket).sort()).toEqual([...QUOTA_BUCKETS].sort());
    expect(plan.requests.total).toBeGreaterThan(0);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(planText(plan));
    expect(text.stdout).toMatch(/no earlier day: everything is new/);
  });

  it("plans tomorrow's run by default once today has run, and says so", async () => {
    // Prepare: a home whose raw zone has today's manifest (a published day with no objects).
    const home = await mkdtemp(path.join(os.tmpdir(), "tunelake-plan-"));
    homes.push(home);
    const today = todayUtc();
    const tomorrow = todayUtc(new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000));
    const manifest = path.join(home, "lake", "raw", manifestKey(today));
    await mkdir(path.dirname(manifest), { recursive: true });
    await writeFile(manifest, JSON.stringify({ date: today, keys: [], sources: {} }));

    // Act
    const json = await tunelake(["--home", home, "plan", "--json"]);
    const text = await tunelake(["--home", home, "plan"]);
    const rerun = await tunelake(["--home", home, "plan", "--date", today, "--json"]);

    // Assess
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as RequestPlan).date).toBe(tomorrow);
    expect(text.stdout).toContain(
      `${today} has run: the next run is ${tomorrow}'s (give --date ${today} for a rerun's plan).`,
    );
    expect((JSON.parse(rerun.stdout) as RequestPlan).date).toBe(today);
  });

  it("refuses a malformed date before reading anything", async () => {
    // Act
    const result = await tunelake(["plan", "--date", "2026-13-45"]);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/2026-13-45/);
  });
});
