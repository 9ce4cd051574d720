/**
 * The policies of a synthesized template with every CloudFormation intrinsic resolved to concrete names and ARNs in a
 * fixed account and region, so that recorded calls can be evaluated against them: each role's identity policies
 * (inline, AWS::IAM::Policy and the one AWS-managed policy the stack attaches), and the bucket, topic and key policies.
 */

import { TemplateError } from "./errors.ts";

/** The account and region the IAM proof resolves ARNs in. */
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";
const DEFAULT_ACCOUNT = ACCOUNT;
const DEFAULT_REGION = REGION;

export interface ResolveOptions {
  account?: string;
  region?: string;
  /**
   * How unnamed resources are named: `lowercase` logical ids (valid bucket names, for the proof) or `placeholder`s such
   * as `<RawBucket>` (logical id without CDK's hash, for docs/deploy.md).
   */
  names?: "lowercase" | "placeholder";
}

export type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties?: Json;
}
export interface PolicyDocument {
  Version?: string;
  Statement: Statement[];
}
export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * AWSLambdaBasicExecutionRole, the only AWS-managed policy the stack attaches (stacks/test/least-privilege.test.ts
 * keeps it so): its document as AWS publishes it.
 */
export const LAMBDA_BASIC_EXECUTION: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: "*",
    },
  ],
};

/** A role of the template: its resolved name and ARN and the identity policies attached to it. */
export interface TemplateRole {
  logicalId: string;
  name: string;
  arn: string;
  policies: { name: string; document: PolicyDocument }[];
}

export interface TemplatePolicies {
  roles: Record<string, TemplateRole>;
  /** Resource policies by the resolved ARN of the resource they protect (bucket, topic, queue, key, function). */
  resourcePolicies: Record<string, PolicyDocument>;
  /** Resolves `{ Ref }`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select` and `Fn::Split` in any value. */
  resolve: (value: unknown) => unknown;
  /** The resolved physical name (Ref) and ARN of a logical id. */
  nameOf: (logicalId: string) => string;
  arnOf: (logicalId: string) => string;
  /** The logical ids of a resource type, in template order. */
  idsOf: (type: string) => string[];
  resources: Record<string, Resource>;
}

const arrayOf = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Reads the policies of `template`, resolving every intrinsic to names derived from the logical ids. */
export function templatePolicies(template: Json, options: ResolveOptions = {}): TemplatePolicies {
  const ACCOUNT = options.account ?? DEFAULT_ACCOUNT;
  const REGION = options.region ?? DEFAULT_REGION;
  const unnamed = (id: string) =>
    options.names === "placeholder" ? `<${id.replace(/[0-9A-F]{8}$/, "")}>` : id.toLowerCase();
  const resources = template.Resources as Record<string, Resource>;
  const props = (id: string): Json => resources[id]?.Properties ?? {};

  const nameOf = (id: string): string => {
    const r = resources[id];
    if (!r) throw new TemplateError({ reason: "noResource", id });
    const p = props(id);
    const explicit: Record<string, unknown> = {
      "AWS::S3::Bucket": p.BucketName,
      "AWS::Lambda::Function": p.FunctionName,
      "AWS::IAM::Role": p.RoleName,
      "AWS::SNS::Topic": p.TopicName,
      "AWS::SQS::Queue": p.QueueName,
      "AWS::StepFunctions::StateMachine": p.StateMachineName,
      "AWS::Events::Rule": p.Name,
      "AWS::CloudWatch::Alarm": p.AlarmName,
      "AWS::Logs::LogGroup": p.LogGroupName,
      "AWS::Athena::WorkGroup": p.Name,
      "AWS::Glue::Crawler": p.Name,
      "AWS::Glue::Database": (p.DatabaseInput as Json | undefined)?.Name,
    };
    const name = explicit[r.Type];
    return name !== undefined ? String(resolve(name)) : unnamed(id);
  };

  const arnOf = (id: string): string => {
    const r = resources[id];
    if (!r) throw new TemplateError({ reason: "noResource", id });
    const name = nameOf(id);
    switch (r.Type) {
      case "AWS::S3::Bucket":
        return `arn:aws:s3:::${name}`;
      case "AWS::Lambda::Function":
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
      case "AWS::IAM::Role":
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case "AWS::SNS::Topic":
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
      case "AWS::SQS::Queue":
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
      case "AWS::KMS::Key":
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${name}`;
      case "AWS::StepFunctions::StateMachine":
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
      case "AWS::Events::Rule":
        return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
      case "AWS::CloudWatch::Alarm":
        return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
      case "AWS::Logs::LogGroup":
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`;
      case "AWS::SSM::Parameter":
        return `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${name}`;
      default:
        throw new TemplateError({ reason: "noArnRule", type: String(r.Type), id });
    }
  };

  /** A queue's Ref: its URL. */
  const queueUrl = (id: string): string => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${nameOf(id)}`;

  /** Ref: the name, except for types whose Ref is their ARN (or, for a queue, its URL). */
  const ref = (id: string): string => {
    switch (id) {
      case "AWS::AccountId":
        return ACCOUNT;
      case "AWS::Region":
        return REGION;
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::StackName":
        return "stack";
    }
    const type = resources[id]?.Type;
    if (type === "AWS::SNS::Topic" || type === "AWS::StepFunctions::StateMachine") return arnOf(id);
    if (type === "AWS::SQS::Queue") return queueUrl(id);
    return nameOf(id);
  };

  const getAtt = (id: string, attribute: string): string => {
    if (attribute === "Arn") return arnOf(id);
    if (attribute === "TopicName") return nameOf(id);
    if (attribute === "Name") return nameOf(id);
    throw new TemplateError({ reason: "noAttributeRule", id, attribute });
  };

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== "object") return value;
    const o = value as Json;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = o[key];
      if (key === "Ref") return ref(String(arg));
      if (key === "Fn::GetAtt") {
        const [id, attribute] = (typeof arg === "string" ? arg.split(".") : arg) as [string, string];
        return getAtt(id, attribute);
      }
      if (key === "Fn::Join") {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolve(parts) as unknown[]).join(separator);
      }
      if (key === "Fn::Select") {
        const [index, list] = arg as [number, unknown];
        return (resolve(list) as unknown[])[Number(index)];
      }
      if (key === "Fn::Split") {
        const [separator, text] = arg as [string, unknown];
        return String(resolve(text)).split(separator);
      }
      if (key === "Fn::Sub") {
        const [text, vars] = (typeof arg === "string" ? [arg, {}] : arg) as [string, Json];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in vars) return String(resolve(vars[name]));
          const [id, attribute] = name.split(".");
          return attribute ? getAtt(id!, attribute) : ref(id!);
        });
      }
    }
    return Object.fromEntries(keys.map((k) => [k, resolve(o[k])]));
  }

  const idsOf = (type: string) => Object.keys(resources).filter((id) => resources[id]?.Type === type);

  const roles: Record<string, TemplateRole> = {};
  for (const id of idsOf("AWS::IAM::Role")) {
    const p = props(id);
    const policies: TemplateRole["policies"] = [];
    for (const inline of arrayOf(p.Policies as { PolicyName: string; PolicyDocument: unknown }[])) {
      policies.push({ name: `${id}/${inline.PolicyName}`, document: resolve(inline.PolicyDocument) as PolicyDocument });
    }
    for (const arn of arrayOf(p.ManagedPolicyArns as unknown[])) {
      const resolved = String(resolve(arn));
      if (!resolved.endsWith(":policy/service-role/AWSLambdaBasicExecutionRole")) {
        throw new TemplateError({ reason: "unknownManagedPolicy", id, arn: resolved });
      }
      policies.push({ name: "AWSLambdaBasicExecutionRole", document: LAMBDA_BASIC_EXECUTION });
    }
    roles[id] = { logicalId: id, name: nameOf(id), arn: arnOf(id), policies };
  }
  for (const id of idsOf("AWS::IAM::Policy")) {
    const p = props(id);
    for (const role of arrayOf(p.Roles as { Ref: string }[])) {
      roles[role.Ref]?.policies.push({ name: id, document: resolve(p.PolicyDocument) as PolicyDocument });
    }
  }

  const resourcePolicies: Record<string, PolicyDocument> = {};
  for (const id of idsOf("AWS::S3::BucketPolicy")) {
    const p = props(id);
    resourcePolicies[`arn:aws:s3:::${resolve(p.Bucket)}`] = resolve(p.PolicyDocument) as PolicyDocument;
  }
  for (const id of idsOf("AWS::SNS::TopicPolicy")) {
    const p = props(id);
    for (const topic of arrayOf(p.Topics as unknown[])) {
      resourcePolicies[String(resolve(topic))] = resolve(p.PolicyDocument) as PolicyDocument;
    }
  }
  for (const id of idsOf("AWS::SQS::QueuePolicy")) {
    const p = props(id);
    for (const url of arrayOf(p.Queues as unknown[])) {
      const queue = idsOf("AWS::SQS::Queue").find((q) => queueUrl(q) === String(resolve(url)));
      if (queue) resourcePolicies[arnOf(queue)] = resolve(p.PolicyDocument) as PolicyDocument;
    }
  }
  for (const id of idsOf("AWS::KMS::Key")) {
    resourcePolicies[arnOf(id)] = resolve(props(id).KeyPolicy) as PolicyDocument;
  }
  // A function's resource policy is the sum of its AWS::Lambda::Permission resources, one statement each, written the
  // way Lambda writes them (a service principal, scoped by the source's ARN and account).
  for (const id of idsOf("AWS::Lambda::Permission")) {
    const p = props(id);
    const fn = String(resolve(p.FunctionName));
    const condition: Json = {};
    if (p.SourceArn !== undefined) condition.ArnLike = { "aws:SourceArn": String(resolve(p.SourceArn)) };
    if (p.SourceAccount !== undefined)
      condition.StringEquals = { "aws:SourceAccount": String(resolve(p.SourceAccount)) };
    const principal = String(resolve(p.Principal));
    const statement: Statement = {
      Effect: "Allow",
      Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : { AWS: principal },
      Action: String(resolve(p.Action)),
      Resource: fn,
      ...(Object.keys(condition).length > 0 ? { Condition: condition as Statement["Condition"] } : {}),
    };
    resourcePolicies[fn] ??= { Version: "2012-10-17", Statement: [] };
    resourcePolicies[fn].Statement.push(statement);
  }

  return { roles, resourcePolicies, resolve, nameOf, arnOf, idsOf, resources };
}
