/** The tunelake stack of a stage: lake buckets, functions, catalog, Athena, state machine, schedule and alerts. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Config, type StackContext } from "sst/constructs";
import { useProject } from "sst/project.js";
import { parseConfig } from "../packages/core/src/config/load.ts";
import { asksForUserSources, type SourcesLike } from "../packages/core/src/sources/asked.ts";
import { STAGE_OUTPUT_KEYS as K } from "../packages/core/src/stage-outputs.ts";
import { createFailureRule, createLakeAlerts, createMissedRunAlarm, createNotifierErrorsAlarm } from "./lake-alerts.ts";
import { createLakeAthena } from "./lake-athena.ts";
import { createLakeBuckets } from "./lake-buckets.ts";
import { createLakeCatalog, grantLakeFormation, stageCrawlerSettings } from "./lake-catalog.ts";
import { createFailureNotifier, createLakeFunctions } from "./lake-functions.ts";
import { createLakeSnowflake, readSnowflakeSettings } from "./lake-snowflake.ts";
import { createLakeStateMachine } from "./lake-state-machine.ts";
import { readDeploySettings } from "./settings.ts";

/** CDK context keys the offline synth (stacks/synth.ts) and the stack tests set. */
export const CONTEXT = {
  /** `true`: do not download anything while bundling (the DuckDB binding is installed only by `sst deploy`). */
  offline: "tunelake:offline",
  /** Alert email; otherwise the `TUNELAKE_ALERT_EMAIL` environment variable (e.g. in `.env.prod`). */
  alertEmail: "tunelake:alertEmail",
  /** `true`: grant Lake Formation permissions (docs/deploy.md); otherwise `TUNELAKE_LAKE_FORMATION=true`. Off by default. */
  lakeFormation: "tunelake:lakeFormation",
} as const;

/** The Spotify credentials: set them with `npx sst secrets set <NAME> <value> --stage <stage>`. */
export const SPOTIFY_SECRETS = ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET", "SPOTIFY_REFRESH_TOKEN"] as const;

/** The SSM parameter SST v2 keeps a `Config.Secret`'s value in (`sst secrets set NAME ... --stage STAGE`). */
export const sstSecretParameter = (app: string, stage: string, name: (typeof SPOTIFY_SECRETS)[number]): string =>
  `/sst/${app}/${stage}/Secret/${name}/value`;

/**
 * Validate's freshness tolerance from the config file (`validate.freshnessToleranceDays`, checked as the extract
 * checks the whole file): it is part of the deployed definition, so a change takes a deploy.
 */
function readFreshnessTolerance(configFile: string): number {
  return parseConfig(JSON.parse(readFileSync(configFile, "utf8")), configFile).validate.freshnessToleranceDays;
}

/** The config file's `sources` as written (the extract validates the whole file; missing sources ask for nothing). */
function readSources(configFile: string): SourcesLike {
  const parsed = JSON.parse(readFileSync(configFile, "utf8")) as { sources?: SourcesLike };
  return parsed.sources ?? {};
}

/** The SST stack function (`app.stack(Pipeline)` in sst.config.ts). */
export function Pipeline({ stack, app }: StackContext): void {
  const offline = app.node.tryGetContext(CONTEXT.offline) === true;
  const settings = readDeploySettings();
  const alertEmail = (app.node.tryGetContext(CONTEXT.alertEmail) as string | undefined) ?? settings.alertEmail;

  const buckets = createLakeBuckets(stack);
  const secrets = SPOTIFY_SECRETS.map((name) => new Config.Secret(stack, name));
  const configFile = path.resolve(useProject().paths.root, settings.sourcesFile);
  const { extract, transform } = createLakeFunctions(stack, {
    buckets,
    secrets,
    configFile,
    offline,
    extractMemoryMb: settings.extractMemoryMb,
    transformMemoryMb: settings.transformMemoryMb,
  });
  // Opt-in Snowpipe feed (docs/snowflake.md): off unless TUNELAKE_SNOWFLAKE* is set. Its notifications take the
  // curated prefixes' object-created events, which the crawler's event mode would otherwise use.
  const snowflake = readSnowflakeSettings();
  const catalog = createLakeCatalog(stack, {
    stage: app.stage,
    curated: buckets.curated,
    settings: stageCrawlerSettings({ notificationsTaken: Boolean(snowflake?.sqsQueueArn) }),
  });
  const athena = createLakeAthena(stack, {
    stage: app.stage,
    results: buckets.athenaResults,
    databaseName: catalog.databaseName,
  });
  const alerts = createLakeAlerts(stack, { alertEmail: alertEmail || undefined });
  const { stateMachine } = createLakeStateMachine(stack, {
    stage: app.stage,
    schedule: settings.schedule,
    extract,
    transform,
    crawlerName: catalog.crawlerName,
    crawlerArn: catalog.crawlerArn,
    databaseName: catalog.databaseName,
    catalogReadArns: catalog.catalogReadArns,
    workGroupName: athena.workGroupName,
    workGroupArn: athena.workGroupArn,
    athenaResults: buckets.athenaResults,
    curated: buckets.curated,
    topic: alerts.topic,
    topicKey: alerts.key,
    freshnessToleranceDays: readFreshnessTolerance(configFile),
  });
  const lakeFormation = app.node.tryGetContext(CONTEXT.lakeFormation) ?? settings.lakeFormation;
  if (lakeFormation === true || lakeFormation === "true") {
    grantLakeFormation(stack, { catalog, curated: buckets.curated, readers: [stateMachine.role] });
  }
  // Names, not tokens, where CloudFormation would otherwise create the resource after a dependent one.
  stateMachine.node.addDependency(catalog.crawler, athena.workGroup);
  const notifier = createFailureNotifier(stack, {
    stage: app.stage,
    stateMachine,
    topic: alerts.topic,
    topicKey: alerts.key,
    refreshTokenParameter: asksForUserSources(readSources(configFile))
      ? sstSecretParameter(app.name, app.stage, "SPOTIFY_REFRESH_TOKEN")
      : undefined,
  });
  createFailureRule(stack, { stateMachine, notifier });
  createNotifierErrorsAlarm(stack, { stage: app.stage, notifier, topic: alerts.topic });
  if (snowflake) createLakeSnowflake(stack, { stage: app.stage, curated: buckets.curated, settings: snowflake });
  createMissedRunAlarm(stack, { stage: app.stage, stateMachine, topic: alerts.topic, hours: settings.missedRunHours });

  stack.addOutputs({
    [K.stateMachineArn]: stateMachine.stateMachineArn,
    [K.rawBucket]: buckets.raw.bucketName,
    [K.curatedBucket]: buckets.curated.bucketName,
    [K.athenaResultsBucket]: buckets.athenaResults.bucketName,
    [K.glueDatabase]: catalog.databaseName,
    [K.crawler]: catalog.crawlerName,
    [K.workGroup]: athena.workGroupName,
    [K.failureTopicArn]: alerts.topic.topicArn,
    [K.region]: stack.region,
    [K.extractFunction]: extract.functionName,
    [K.transformFunction]: transform.functionName,
  });
}
