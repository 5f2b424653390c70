/** The process's MCP connection manager, or a clear refusal where this process has none. */
import { AppError, type McpConnectionManager } from "@gathering/core";
import type { ApiServices } from "../../context";

export function mcpConnectionsOf(services: ApiServices): McpConnectionManager {
  const mcp = services.toolServices?.mcp;
  if (!mcp) throw new AppError("UNAVAILABLE", "MCP servers are not available on this server");
  return mcp;
}
