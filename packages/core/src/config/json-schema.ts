import { toJsonSchema } from "@valibot/to-json-schema";
import { ConfigSchema } from "./schema.ts";

/** The JSON Schema of `tunelake.config.json`, for editors (`"$schema": "./tunelake.schema.json"`). */
export function configJsonSchema(): Record<string, unknown> {
  return toJsonSchema(ConfigSchema, { errorMode: "ignore", typeMode: "input" }) as Record<string, unknown>;
}
