/** The SST v2 app: `npx sst deploy --stage prod` deploys the Pipeline stack (stacks/pipeline.ts). */
import type { SSTConfig } from "sst";
import { VisibleError } from "sst/error.js";
import { APP_NAME, PIPELINE_STACK_ID } from "./packages/core/src/stage-outputs.ts";
import { Pipeline } from "./stacks/pipeline.ts";
import { PreflightError, preflight } from "./stacks/preflight.ts";
import { readDeploySettings } from "./stacks/settings.ts";

// SST's anonymous telemetry posts to telemetry.sst.dev before each command; offline, that request never settles and
// SST exits 0 having done nothing. Off unless asked for (docs/deploy.md).
process.env.SST_TELEMETRY_DISABLED ??= "1";

export default {
  async config(globals) {
    const settings = readDeploySettings();
    const region = globals.region || settings.region;
    // Fail in seconds, naming the cause, when AWS cannot be asked: no credentials, region or network.
    await preflight({
      command: (globals as { _?: string[] })._?.[0],
      stage: globals.stage,
      profile: globals.profile,
      region,
    }).catch((error: unknown) => {
      // SST prints a VisibleError's message alone, without a stack trace, and exits 1.
      throw error instanceof PreflightError ? new VisibleError(error.message) : error;
    });
    return { name: APP_NAME, region: settings.region };
  },
  stacks(app) {
    app.stack(Pipeline, { id: PIPELINE_STACK_ID });
  },
} satisfies SSTConfig;
