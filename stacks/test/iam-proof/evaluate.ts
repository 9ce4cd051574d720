/**
 * Evaluates recorded calls against the template's policies with @cloud-copilot/iam-simulate (identity policies of
 * the calling role, the resource's bucket, topic or key policy), and finds the grants no call uses.
 *
 * @cloud-copilot/iam-simulate is AGPL-3.0: a devDependency of this test only, never imported by a shipped package
 * (README "Dependencies").
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { TemplateError } from "../../errors.ts";
import { ACCOUNT, type PolicyDocument, type Statement, type TemplatePolicies } from "../../template-policies.ts";
import type { AwsCall } from "./daily-run-calls.ts";

export interface Decision {
  call: AwsCall;
  allowed: boolean;
  result: string;
}

/** The resource policy that governs `resource`: its bucket's, topic's or key's, if the template has one. */
function resourcePolicyOf(policies: TemplatePolicies, resource: string): PolicyDocument | undefined {
  if (resource.startsWith("arn:aws:s3:::")) {
    const bucket = resource.slice("arn:aws:s3:::".length).split("/")[0];
    return policies.resourcePolicies[`arn:aws:s3:::${bucket}`];
  }
  return policies.resourcePolicies[resource];
}

/** Evaluates one call; `override` replaces the template's documents (to remove a grant). */
export async function evaluateCall(
  policies: TemplatePolicies,
  call: AwsCall,
  override?: { roles?: TemplatePolicies["roles"]; resourcePolicies?: TemplatePolicies["resourcePolicies"] },
): Promise<Decision> {
  const roles = override?.roles ?? policies.roles;
  const role = roles[call.principal];
  const isService = call.principal.endsWith(".amazonaws.com");
  if (!role && !isService) throw new TemplateError({ reason: "noRole", principal: call.principal });
  const resourcePolicy = resourcePolicyOf(
    { ...policies, resourcePolicies: override?.resourcePolicies ?? policies.resourcePolicies },
    call.resource,
  );
  const result = await runSimulation(
    {
      request: {
        principal: isService ? call.principal : role!.arn,
        action: call.action,
        resource: { resource: call.resource, accountId: ACCOUNT },
        contextVariables: call.context,
      },
      identityPolicies: (role?.policies ?? []).map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === "error") {
    throw new TemplateError({
      reason: "simulatorRejected",
      action: call.action,
      resource: call.resource,
      errors: result.errors,
    });
  }
  return { call, allowed: result.overallResult === "Allowed", result: result.overallResult };
}

/** Evaluates every call, at most `parallel` at a time. */
export async function evaluateCalls(
  policies: TemplatePolicies,
  calls: readonly AwsCall[],
  override?: Parameters<typeof evaluateCall>[2],
): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (const call of calls) decisions.push(await evaluateCall(policies, call, override));
  return decisions;
}

/** `principal  action  resource  (why)`, one line per denied call. */
export const describeDenials = (decisions: readonly Decision[]): string[] =>
  decisions
    .filter((d) => !d.allowed)
    .map(
      (d) =>
        `${d.call.principal} ${d.call.action} ${d.call.resource} ${JSON.stringify(d.call.context)} (${d.call.why}): ${d.result}`,
    );

const arrayOf = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** IAM wildcard match (`*` any run, `?` one character), case-sensitive as ARNs are. */
export function wildcardMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
  return re.test(value);
}
const actionMatch = (pattern: string, action: string) => wildcardMatch(pattern.toLowerCase(), action.toLowerCase());

/** One grant of a role: a statement's action on one of its resources. */
export interface Grant {
  role: string;
  policy: string;
  statement: number;
  action: string;
  resource: string;
}

/** The role's Allow grants (action x resource) that no allowed call of that role matches. */
export function unusedGrants(policies: TemplatePolicies, decisions: readonly Decision[]): Grant[] {
  const unused: Grant[] = [];
  for (const role of Object.values(policies.roles)) {
    const calls = decisions.filter((d) => d.allowed && d.call.principal === role.logicalId).map((d) => d.call);
    for (const policy of role.policies) {
      policy.document.Statement.forEach((statement: Statement, index) => {
        if (statement.Effect !== "Allow") return;
        for (const action of arrayOf(statement.Action))
          for (const resource of arrayOf(statement.Resource)) {
            const used = calls.some((c) => actionMatch(action, c.action) && wildcardMatch(resource, c.resource));
            if (!used) unused.push({ role: role.logicalId, policy: policy.name, statement: index, action, resource });
          }
      });
    }
  }
  return unused;
}

/** Every Allow statement the calls rely on, as a removable unit: identity statements and resource policy statements. */
export interface StatementRef {
  kind: "identity" | "resource";
  /** Role logical id, or the resource ARN whose policy holds it. */
  owner: string;
  policy: string;
  index: number;
  statement: Statement;
}

export function allowStatements(policies: TemplatePolicies): StatementRef[] {
  const refs: StatementRef[] = [];
  for (const role of Object.values(policies.roles))
    for (const policy of role.policies)
      policy.document.Statement.forEach((statement, index) => {
        if (statement.Effect === "Allow")
          refs.push({ kind: "identity", owner: role.logicalId, policy: policy.name, index, statement });
      });
  for (const [arn, document] of Object.entries(policies.resourcePolicies))
    document.Statement.forEach((statement, index) => {
      if (statement.Effect === "Allow") refs.push({ kind: "resource", owner: arn, policy: arn, index, statement });
    });
  return refs;
}

/** The template's documents with one Allow statement removed. */
export function without(policies: TemplatePolicies, ref: StatementRef): Parameters<typeof evaluateCall>[2] {
  if (ref.kind === "identity") {
    const roles = structuredClone(policies.roles);
    const policy = roles[ref.owner]!.policies.find((p) => p.name === ref.policy)!;
    policy.document.Statement.splice(ref.index, 1);
    return { roles };
  }
  const resourcePolicies = structuredClone(policies.resourcePolicies);
  resourcePolicies[ref.owner]!.Statement.splice(ref.index, 1);
  return { resourcePolicies };
}
