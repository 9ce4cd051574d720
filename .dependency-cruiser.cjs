/**
 * `npm run lint:deps`: no import cycles, and each package imports only what ships with it (README "Layout"): the
 * Lambda bundles hold core and functions, so neither may reach the local runtime, the AWS adapters, the CLI or the
 * sample API; the AWS adapters never need the local runtime, and the local runtime never needs AWS or the CLI; the
 * CLI's commands reach either backend only through the ports of the backend cli.ts builds for them.
 */
const pkg = (name) => `^packages/${name}/src/`;
const anyOf = (...names) => `^packages/(${names.join("|")})/`;

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import cycle: break it by moving what both sides need into a module of its own.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-is-the-domain",
      severity: "error",
      comment: "packages/core is bundled into the Lambdas: it must not import a backend, the CLI or the sample API.",
      from: { path: pkg("core") },
      to: { path: anyOf("local", "aws", "cli", "sample-api", "functions", "console") },
    },
    {
      name: "functions-ship-alone",
      severity: "error",
      comment: "The Lambda handlers are bundled with core only: no local runtime, AWS adapters, CLI or sample API.",
      from: { path: pkg("functions") },
      to: { path: anyOf("local", "aws", "cli", "sample-api", "console") },
    },
    {
      name: "aws-needs-no-local",
      severity: "error",
      comment: "The AWS backend talks to a deployed stage: it must not import the local runtime or the CLI.",
      from: { path: pkg("aws") },
      to: { path: anyOf("local", "cli", "console") },
    },
    {
      name: "local-needs-no-aws",
      severity: "error",
      comment: "The local backend runs with no AWS account: it must not import the AWS adapters or the CLI.",
      from: { path: pkg("local") },
      to: { path: anyOf("aws", "cli", "console") },
    },
    {
      name: "commands-use-ports",
      severity: "error",
      comment:
        "A CLI command drives the backend cli.ts hands it (cli/src/backend.ts) through the ports (core/src/ports.ts): it must not import the local or AWS adapters, statically or with import().",
      from: { path: "^packages/cli/src/commands/" },
      to: { path: anyOf("local", "aws") },
    },
    {
      name: "tests-keep-to-their-package",
      severity: "error",
      comment:
        "A test imports its own package's test helpers, not another package's: a helper several packages share is one of the fixtures listed here (moto_server and the moto stage, the state machine stand-in, the curated lake fixture, the extract's test types), until they move to a workspace package of their own.",
      from: { path: "^(packages/[^/]+|stacks)/test/" },
      to: {
        path: "^(packages/[^/]+|stacks)/test/",
        pathNot: [
          "^$1/test/",
          "^packages/aws/test/(moto-server|moto-stage|stand-in)[.]ts$",
          "^packages/local/test/lake-fixture[.]ts$",
          "^packages/core/test/extract/helpers[.]ts$",
        ],
      },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that does not resolve: the layering rules above cannot see through it.",
      from: { path: "^packages/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Workspace packages resolve through node_modules/@tunelake/* symlinks to packages/*/src (their "exports").
    preserveSymlinks: false,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json", ".d.ts"],
    },
    exclude: { path: ["node_modules", "\\.sst/", "cdk\\.out", "/dist/"] },
  },
};
