/**
 * A small MCP server for tests, with tools whose schemas the tests need: plain ones (add, echo, whoami,
 * fail, crash, slow), one that uses `$data` and one with a keyword strict validation does not know (both must
 * be refused before a model sees them). Every tools/call it receives is appended to the file named by
 * MCP_TEST_LOG, so a test can tell which calls really reached the server. Plain JavaScript, so `node`
 * runs it as a stdio server without a build step.
 */
import { appendFileSync } from "node:fs";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";

export const testTools = [
  {
    name: "add",
    description: "Adds two numbers and answers with the sum.",
    inputSchema: {
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
      required: ["a", "b"],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
  },
  {
    name: "echo",
    description: "Answers with the text it is given.",
    inputSchema: { type: "object", properties: { text: { type: "string", minLength: 1 } }, required: ["text"] },
  },
  {
    name: "whoami",
    description: "Answers with the MCP_TEST_SECRET variable of the server process.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "fail",
    description: "Always answers with a tool error.",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "slow",
    description: "Waits the given number of milliseconds, then answers.",
    inputSchema: { type: "object", properties: { ms: { type: "integer", minimum: 0 } }, required: ["ms"] },
  },
  {
    name: "crash",
    description: "Answers, then the server process exits (to test reconnecting).",
    inputSchema: { type: "object", properties: {} },
  },
  {
    name: "bounded",
    description: "A tool whose schema takes its maximum from the data ($data).",
    inputSchema: {
      type: "object",
      properties: { max: { type: "number" }, value: { type: "number", maximum: { $data: "1/max" } } },
    },
  },
  {
    name: "fancy",
    description: "A tool whose schema uses a keyword no validator knows.",
    inputSchema: { type: "object", properties: { colour: { type: "string", "x-widget": "colour-picker" } } },
  },
];

function record(name, args) {
  const log = process.env.MCP_TEST_LOG;
  if (log) appendFileSync(log, `${JSON.stringify({ name, arguments: args })}\n`);
}

export function createTestMcpServer() {
  const server = new Server({ name: "gathering-test-server", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: testTools }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args = {} } = request.params;
    record(name, args);
    const text = (value) => ({ content: [{ type: "text", text: String(value) }] });
    switch (name) {
      case "add":
        return text(Number(args.a) + Number(args.b));
      case "echo":
        return text(args.text);
      case "whoami":
        return text(process.env.MCP_TEST_SECRET ?? "(no secret)");
      case "fail":
        return { content: [{ type: "text", text: "the frobnicator is broken" }], isError: true };
      case "crash":
        setTimeout(() => process.exit(1), 20);
        return text("bye");
      case "slow":
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, Number(args.ms));
          extra.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            record("slow:cancelled", args);
            resolve(undefined);
          });
        });
        return text(`waited ${args.ms} ms`);
      default:
        return { content: [{ type: "text", text: `unknown tool ${name}` }], isError: true };
    }
  });
  return server;
}
