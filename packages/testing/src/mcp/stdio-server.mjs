/** The test MCP server over stdio: `node stdio-server.mjs`. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createTestMcpServer } from "./test-server.mjs";

await createTestMcpServer().connect(new StdioServerTransport());
