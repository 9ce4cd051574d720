/** `npm run docs:permissions`: regenerates the Permissions section of docs/deploy.md from an offline synth of `prod`. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pipelineStackName } from "../packages/core/src/stage-outputs.ts";
import { TemplateError } from "./errors.ts";
import { synthOffline } from "./offline-app.ts";
import { permissionsMarkdown, replaceSection } from "./permissions-doc.ts";

/** The stage the doc describes, and the doc. */
export const DOC_STAGE = "prod";
export const DEPLOY_DOC = path.resolve(import.meta.dirname, "../docs/deploy.md");

/** The Permissions section for the `prod` stage, synthesized offline with the default settings. */
export async function currentPermissionsSection(): Promise<string> {
  const synth = await synthOffline({ stage: DOC_STAGE, bundle: false });
  try {
    const template = synth.templates[pipelineStackName(DOC_STAGE)];
    if (!template) {
      throw new TemplateError({
        reason: "noTemplate",
        stack: pipelineStackName(DOC_STAGE),
        got: Object.keys(synth.templates),
      });
    }
    return permissionsMarkdown(template);
  } finally {
    synth.cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const doc = readFileSync(DEPLOY_DOC, "utf8");
  writeFileSync(DEPLOY_DOC, replaceSection(doc, await currentPermissionsSection()));
  console.log(`wrote the Permissions section of ${DEPLOY_DOC}`);
}
