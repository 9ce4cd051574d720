/**
 * The one definition the console draws: rendered as the local engine runs it, or with a stage's names (only the
 * resources differ; the states and transitions are the same). A `Runs` gives its own (`runs.definition()`).
 */
import { localDefinition } from "@tunelake/local/engine";

/** A stage's definition, its ARNs built from the stage outputs. */
export { stageDefinition } from "@tunelake/core/workflow/stage-definition";
/** The local engine's definition, as the engine renders it (its poll settings are written there only). */
export { localDefinition };
