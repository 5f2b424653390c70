/**
 * Runs the mock LLM server on its own for e2e runs and local demos:
 *   npx tsx packages/testing/src/mock-llm/standalone.ts --port 4010 [--host 127.0.0.1]
 * Prints the base URLs and serves echo replies until SIGTERM or SIGINT.
 */
import { parseArgs } from "node:util";
import { startMockLlmServer } from "./server";

const { values } = parseArgs({
  options: { port: { type: "string", default: "0" }, host: { type: "string", default: "127.0.0.1" } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`Invalid --port ${values.port}`);
  process.exit(2);
}

const server = await startMockLlmServer({ port, host: values.host });
console.log(`mock LLM server listening on ${server.url}`);
for (const [vendor, baseUrl] of Object.entries(server.baseUrls)) console.log(`  ${vendor.padEnd(9)} ${baseUrl}`);

let isStopping = false;
async function stop(signal: NodeJS.Signals) {
  if (isStopping) return;
  isStopping = true;
  console.log(`${signal}: stopping mock LLM server`);
  await server.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
