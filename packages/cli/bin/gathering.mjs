#!/usr/bin/env node
// The `gathering` command. Internal packages ship TypeScript source, so register tsx and run it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
await main(process.argv.slice(2));
