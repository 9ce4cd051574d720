import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OfflineSynth } from "../offline-app.ts";
import { type Json, resourcesOfType, synthTestStage } from "./synth-fixture.ts";

interface Statement {
  Action: string | string[];
  Resource?: unknown;
}

const getDataAccessRoles = (template: Json): string[] =>
  resourcesOfType(template, "AWS::IAM::Policy")
    .filter(([, policy]) =>
      (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.some((s) =>
        [s.Action].flat().includes("lakeformation:GetDataAccess"),
      ),
    )
    .flatMap(([, policy]) => (policy.Properties!.Roles as { Ref: string }[]).map((r) => r.Ref));

describe("Lake Formation setting", () => {
  let off: { synth: OfflineSynth; template: Json };
  let on: { synth: OfflineSynth; template: Json };
  beforeAll(async () => {
    // IAM and Lake Formation do not depend on the code bundles: skip esbuild.
    off = await synthTestStage({ bundle: false });
    process.env.TUNELAKE_LAKE_FORMATION = "true";
    try {
      on = await synthTestStage({ bundle: false });
    } finally {
      delete process.env.TUNELAKE_LAKE_FORMATION;
    }
  });
  afterAll(() => {
    off?.synth.cleanup();
    on?.synth.cleanup();
  });

  it("is off by default: no Lake Formation resource and no GetDataAccess", () => {
    const lakeFormation = Object.values(off.template.Resources as Record<string, { Type: string }>).filter((r) =>
      r.Type.startsWith("AWS::LakeFormation::"),
    );

    expect(lakeFormation).toEqual([]);
    expect(getDataAccessRoles(off.template)).toEqual([]);
  });

  it("when on, registers the curated bucket, grants the crawler and the state machine, and allows GetDataAccess", () => {
    const template = on.template;
    const [machineId, machine] = resourcesOfType(template, "AWS::StepFunctions::StateMachine")[0]!;
    const machineRole = (machine.Properties!.RoleArn as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
    const crawlerRole = (
      resourcesOfType(template, "AWS::Glue::Crawler")[0]![1].Properties!.Role as { "Fn::GetAtt": [string, string] }
    )["Fn::GetAtt"][0];
    const grants = resourcesOfType(template, "AWS::LakeFormation::PrincipalPermissions").map(([, r]) => r.Properties!);
    const grantsTo = (role: string) =>
      grants.filter((g) => JSON.stringify((g.Principal as Json).DataLakePrincipalIdentifier).includes(role));

    expect(machineId).toBeDefined();
    expect(resourcesOfType(template, "AWS::LakeFormation::Resource")).toHaveLength(1);
    expect(
      grantsTo(crawlerRole)
        .flatMap((g) => g.Permissions as string[])
        .sort(),
    ).toEqual(["ALTER", "DATA_LOCATION_ACCESS", "DESCRIBE", "DESCRIBE", "SELECT"].sort());
    expect(
      grantsTo(machineRole)
        .flatMap((g) => g.Permissions as string[])
        .sort(),
    ).toEqual(["DESCRIBE", "DESCRIBE", "SELECT"].sort());
    expect(getDataAccessRoles(template).sort()).toEqual([crawlerRole, machineRole].sort());
  });
});
