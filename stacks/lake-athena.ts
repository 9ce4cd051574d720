/** The Athena workgroup every query of a stage runs in (enforced settings, encrypted results) and saved queries. */
import { Aws, type Stack } from "aws-cdk-lib";
import { CfnNamedQuery, CfnWorkGroup } from "aws-cdk-lib/aws-athena";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import { NAMED_QUERIES } from "../packages/core/src/checks/named-queries.ts";

/** A query that would scan more than this is cancelled: a guard against a missing `dt` filter on a grown lake. */
export const BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

export interface LakeAthena {
  workGroup: CfnWorkGroup;
  workGroupName: string;
  workGroupArn: string;
}

/** Creates the workgroup and the analysts' named queries. */
export function createLakeAthena(
  stack: Stack,
  props: { stage: string; results: Bucket; databaseName: string },
): LakeAthena {
  const workGroupName = `${props.stage}-tunelake`;
  const workGroup = new CfnWorkGroup(stack, "AthenaWorkGroup", {
    name: workGroupName,
    description: "tunelake: data-quality checks of the state machine and analysts' queries",
    state: "ENABLED",
    // Lets `sst remove` delete the workgroup although it has query history.
    recursiveDeleteOption: true,
    workGroupConfiguration: {
      // Clients cannot override the result location, encryption or the cutoff.
      enforceWorkGroupConfiguration: true,
      publishCloudWatchMetricsEnabled: true,
      bytesScannedCutoffPerQuery: BYTES_SCANNED_CUTOFF,
      engineVersion: { selectedEngineVersion: "Athena engine version 3" },
      resultConfiguration: {
        outputLocation: `s3://${props.results.bucketName}/results/`,
        encryptionConfiguration: { encryptionOption: "SSE_S3" },
        expectedBucketOwner: Aws.ACCOUNT_ID,
      },
    },
  });

  for (const [index, query] of NAMED_QUERIES.entries()) {
    const named = new CfnNamedQuery(stack, `NamedQuery${index}`, {
      name: query.name,
      description: query.description,
      database: props.databaseName,
      workGroup: workGroupName,
      queryString: query.sql,
    });
    named.addDependency(workGroup);
  }

  return {
    workGroup,
    workGroupName,
    workGroupArn: `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${workGroupName}`,
  };
}
