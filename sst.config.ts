/** The SST v2 app: `npx sst deploy --stage prod` deploys the Pipeline stack (stacks/pipeline.ts). */
import type { SSTConfig } from "sst";
import { APP_NAME, PIPELINE_STACK_ID } from "./packages/core/src/stage-outputs.ts";
import { Pipeline } from "./stacks/pipeline.ts";
import { readDeploySettings } from "./stacks/settings.ts";

export default {
  config() {
    return { name: APP_NAME, region: readDeploySettings().region };
  },
  stacks(app) {
    app.stack(Pipeline, { id: PIPELINE_STACK_ID });
  },
} satisfies SSTConfig;
