/**
 * The errors of the stacks and of the tools that read their templates (the permissions doc, the IAM proof), rooted at
 * tunelake's {@link TunelakeError}. Configuration the stacks refuse is core's `ConfigError`; these are the rest.
 */
import { type Reasons, reasonedError } from "../packages/core/src/errors.ts";

/** Why a deploy build (the Lambda bundle's DuckDB packages, a generated doc) cannot be made, with its message. */
export const BUILD_REASONS = {
  /** The DuckDB API and bindings packages are of different versions. */
  duckdbVersions: (f: { api: string; bindings: string }) =>
    `@duckdb/node-api ${f.api} and @duckdb/node-bindings ${f.bindings} differ: run \`npm ci\` so they match before deploying.`,
  /** No DuckDB binding for this machine in node_modules. */
  noHostBinding: (f: { platform: string; arch: string }) =>
    `No DuckDB binding for ${f.platform}-${f.arch} in node_modules: run \`npm ci\` (package-lock.json lists every supported platform's binding).`,
  /** DuckDB is not installed at all. */
  duckdbNotInstalled: () => "@duckdb/node-api is not installed: run `npm ci` before `sst dev`.",
  /** The bundle's node_modules is a link, which an install would write through. */
  linkedNodeModules: (f: { out: string }) =>
    `${f.out}/node_modules is a link: a deploy build must not install through it into another folder.`,
  /** npm did not install the Lambda's binding. */
  lambdaBindingMissing: (f: { cpu: string; out: string }) =>
    `DuckDB's native binding for linux-${f.cpu} is missing from ${f.out}: check npm's output above.`,
  /** A doc lacks the markers a generated section goes between. */
  docMarkers: (f: { doc: string; start: string; end: string }) =>
    `${f.doc} lacks the markers ${f.start} ... ${f.end}: put them back around the generated section.`,
} satisfies Reasons;

/** A deploy build cannot be made as the checkout stands: fix the checkout (usually `npm ci`) and build again. */
export class BuildError extends reasonedError(BUILD_REASONS) {}

/** What a reader of a synthesized template (the permissions doc, the IAM proof) does not find or know, with its message. */
export const TEMPLATE_REASONS = {
  /** The synth made no template of a stack. */
  noTemplate: (f: { stack: string; got: readonly string[] }) =>
    `No template for ${f.stack}; got ${f.got.join(", ") || "none"}.`,
  /** A logical id that is not in the template. */
  noResource: (f: { id: string }) => `No resource ${f.id} in the template.`,
  /** Not exactly one resource of a type matches. */
  notOneResource: (f: { type: string; found: number }) => `Expected one ${f.type} matching, found ${f.found}.`,
  /** A resource type whose ARN the reader cannot build. */
  noArnRule: (f: { type: string; id: string }) =>
    `No ARN rule for ${f.type} (${f.id}): add one to stacks/template-policies.ts.`,
  /** An attribute the reader cannot resolve. */
  noAttributeRule: (f: { id: string; attribute: string }) =>
    `No rule for Fn::GetAtt ${f.id}.${f.attribute}: add one to stacks/template-policies.ts.`,
  /** A managed policy the reader has no document of. */
  unknownManagedPolicy: (f: { id: string; arn: string }) => `${f.id} attaches ${f.arn}: add its document to the proof.`,
  /** A principal with no role in the template. */
  noRole: (f: { principal: string }) => `No role ${f.principal} in the template.`,
  /** A function found by its description prefix that is not there. */
  noFunction: (f: { prefix: string }) => `No function described "tunelake: ${f.prefix}..." in the template.`,
  /** A staged asset that is not in the cloud assembly. */
  noAsset: (f: { key: string | undefined }) => `No staged asset for S3Key ${f.key}.`,
  /** An SDK call or Task resource the IAM proof has no IAM actions for. */
  unknownCall: (f: { call: string; mapper: string }) =>
    `The proof does not know ${f.call}: add its IAM actions to ${f.mapper}.`,
  /** iam-simulate could not evaluate a call. */
  simulatorRejected: (f: { action: string; resource: string; errors: unknown }) =>
    `iam-simulate rejected ${f.action} on ${f.resource}: ${JSON.stringify(f.errors)}.`,
  /** An EventBridge pattern the test matcher does not support. */
  unsupportedPattern: (f: { pattern: unknown }) =>
    `Unsupported EventBridge pattern ${JSON.stringify(f.pattern)}: add it to stacks/test/event-pattern.ts.`,
} satisfies Reasons;

/** A template is not what its reader expects: a stack changed without the reader, which must learn it. */
export class TemplateError extends reasonedError(TEMPLATE_REASONS) {}
