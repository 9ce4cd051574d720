import { definitionJson } from "@tunelake/core/workflow/definition";
import { stdout } from "../context.ts";

/** `tunelake definition`: the ASL the stack deploys and the local engine runs. */
export function definitionCommand(): void {
  stdout().write(`${definitionJson()}\n`);
}
