/**
 * The test MCP server (see test-server.mjs): its stdio script's path, to connect it as `node <path>`,
 * and the same server over streamable HTTP on a free loopback port.
 */
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { createTestMcpServer, testTools } from "./test-server.mjs";

export { testTools as mcpTestTools };

/** Absolute path of the stdio server script; run it with `process.execPath`. */
export function mcpTestServerPath(): string {
  return fileURLToPath(new URL("./stdio-server.mjs", import.meta.url));
}

export interface HttpMcpTestServer {
  url: string;
  port: number;
  /** Headers of every request received, oldest first. */
  requests: Array<{ method: string; authorization: string | undefined }>;
  close: () => Promise<void>;
}

/** The test MCP server over streamable HTTP (stateless) at `http://127.0.0.1:<port>/mcp`. */
export async function startHttpMcpTestServer(): Promise<HttpMcpTestServer> {
  const requests: HttpMcpTestServer["requests"] = [];
  const server = createServer(async (request, response) => {
    requests.push({ method: request.method ?? "", authorization: request.headers.authorization });
    if (request.url !== "/mcp") {
      response.writeHead(404).end();
      return;
    }
    const mcp = createTestMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    response.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
