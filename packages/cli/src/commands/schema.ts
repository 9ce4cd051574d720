import { writeFile } from "node:fs/promises";
import { configJsonSchema } from "@tunelake/core/config/json-schema";
import { stdout } from "../context.ts";

/** `tunelake schema`: the config's JSON Schema. */
export async function schemaCommand(opts: { out?: string }): Promise<void> {
  const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
  if (opts.out) await writeFile(opts.out, text);
  else stdout().write(text);
}
