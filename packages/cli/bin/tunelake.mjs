#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx: no build step between `git clone` and `npm run pipeline`.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
