/**
 * What `tunelake doctor --stage S` checks of a deployed stage: that its outputs resolve, and that the caller may make
 * the read calls every `--stage` command starts with (describe the state machine, the crawler, the workgroup). One
 * finding per call that fails, saying why in terms a person can act on (aws-failure.ts).
 */
import { GetWorkGroupCommand } from "@aws-sdk/client-athena";
import { GetCrawlerCommand } from "@aws-sdk/client-glue";
import { DescribeStateMachineCommand, ListExecutionsCommand } from "@aws-sdk/client-sfn";
import type { StageOutputs } from "@tunelake/core/stage-outputs";
import { describeAwsFailure } from "./aws-failure.ts";
import type { CloudClients } from "./cloud-clients.ts";
import { resolveStage } from "./resolve-stage.ts";

export interface StageCheck {
  name: string;
  ok: boolean;
  /** What was found (ok), or what is wrong and what to do (not ok): one line. */
  detail: string;
}

/** The calls checked, each with the IAM action it needs. */
const CALLS: {
  action: string;
  call: (clients: CloudClients, outputs: StageOutputs) => Promise<unknown>;
}[] = [
  {
    action: "states:DescribeStateMachine",
    call: (c, o) => c.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: o.stateMachineArn })),
  },
  {
    action: "states:ListExecutions",
    call: (c, o) => c.sfn.send(new ListExecutionsCommand({ stateMachineArn: o.stateMachineArn, maxResults: 1 })),
  },
  { action: "glue:GetCrawler", call: (c, o) => c.glue.send(new GetCrawlerCommand({ Name: o.crawler })) },
  { action: "athena:GetWorkGroup", call: (c, o) => c.athena.send(new GetWorkGroupCommand({ WorkGroup: o.workGroup })) },
];

/** Checks stage `stage` with `clients` (their region and credentials); never throws. */
export async function checkStage(
  stage: string,
  clients: CloudClients,
  options: { root?: string; region?: string } = {},
): Promise<StageCheck[]> {
  let outputs: StageOutputs;
  try {
    outputs = await resolveStage(stage, {
      cloudFormation: clients.cloudFormation,
      ...(options.root ? { root: options.root } : {}),
    });
  } catch (error) {
    return [{ name: "stage outputs", ok: false, detail: (error as Error).message }];
  }
  const checks: StageCheck[] = [
    { name: "stage outputs", ok: true, detail: `stage ${stage}: state machine ${outputs.stateMachineArn}` },
  ];
  for (const { action, call } of CALLS) {
    try {
      await call(clients, outputs);
      checks.push({ name: action, ok: true, detail: "allowed" });
    } catch (error) {
      const failure = describeAwsFailure(error, {
        region: options.region ?? outputs.region,
        what: `${action} on stage ${stage}`,
      });
      const fix =
        failure.kind === "access-denied" ? ` Grant ${action} to the role or user the credentials belong to.` : "";
      checks.push({ name: action, ok: false, detail: `${failure.message}${fix}` });
    }
  }
  return checks;
}
