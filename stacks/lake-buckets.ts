/** The lake's buckets: raw (versioned, moves to a colder class), curated, and Athena query results (expire). */
import { Duration, RemovalPolicy, type Stack } from "aws-cdk-lib";
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, StorageClass } from "aws-cdk-lib/aws-s3";

/** Sizing of the lifecycle rules; kept here so docs/deploy.md and the tests quote one source. */
export const LAKE_LIFECYCLE = {
  /** Raw JSON is re-read only for reprocessing: after this many days it moves to Standard-IA. */
  rawToInfrequentAccessDays: 30,
  /** ... and to Glacier Instant Retrieval (still readable by a reprocess run, milliseconds away). */
  rawToGlacierInstantDays: 90,
  /** Old raw versions (a rerun of a date overwrites its keys) are kept this long for recovery. */
  rawNoncurrentVersionDays: 30,
  /** Athena result files are only needed while the CLI or console reads them. */
  athenaResultsDays: 7,
} as const;

export interface LakeBuckets {
  raw: Bucket;
  curated: Bucket;
  athenaResults: Bucket;
}

/** Private, encrypted, TLS-only buckets: the common part of all three. */
function privateBucket(stack: Stack, id: string, props: ConstructorParameters<typeof Bucket>[2] = {}): Bucket {
  return new Bucket(stack, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // SSE-S3 rather than KMS: Glue, Athena and the functions read it with S3 permissions alone and no KMS request cost.
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Lake data outlives `sst remove` (delete the buckets by hand when you mean it, see docs/deploy.md).
    removalPolicy: RemovalPolicy.RETAIN,
    ...props,
  });
}

/** Creates the three buckets of a stage. */
export function createLakeBuckets(stack: Stack): LakeBuckets {
  const raw = privateBucket(stack, "RawBucket", {
    versioned: true,
    lifecycleRules: [
      {
        id: "raw-to-colder-storage",
        transitions: [
          {
            storageClass: StorageClass.INFREQUENT_ACCESS,
            transitionAfter: Duration.days(LAKE_LIFECYCLE.rawToInfrequentAccessDays),
          },
          {
            storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
            transitionAfter: Duration.days(LAKE_LIFECYCLE.rawToGlacierInstantDays),
          },
        ],
        noncurrentVersionExpiration: Duration.days(LAKE_LIFECYCLE.rawNoncurrentVersionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  const curated = privateBucket(stack, "CuratedBucket", {
    lifecycleRules: [{ id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) }],
  });
  const athenaResults = privateBucket(stack, "AthenaResultsBucket", {
    lifecycleRules: [
      {
        id: "expire-query-results",
        expiration: Duration.days(LAKE_LIFECYCLE.athenaResultsDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  return { raw, curated, athenaResults };
}
