import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PERMISSIONS_END, PERMISSIONS_START } from "../permissions-doc.ts";
import { currentPermissionsSection, DEPLOY_DOC } from "../write-permissions-doc.ts";

describe("docs/deploy.md Permissions", () => {
  it("is the table generated from the synthesized template (run npm run docs:permissions when it is not)", async () => {
    const doc = readFileSync(DEPLOY_DOC, "utf8");
    const written = doc.slice(doc.indexOf(PERMISSIONS_START), doc.indexOf(PERMISSIONS_END) + PERMISSIONS_END.length);

    const current = await currentPermissionsSection();

    expect(current).toContain("_checkpoints/*");
    expect(current).toContain("cloudwatch.amazonaws.com");
    expect(written).toBe(current);
  }, 300_000);
});
