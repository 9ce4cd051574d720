import { definitionJson } from "@tunelake/core/workflow/definition";

/** `tunelake definition`: the ASL the stack deploys and the local engine runs. */
export function definitionCommand(): void {
  process.stdout.write(`${definitionJson()}\n`);
}
