/**
 * A project's tool registry: the built-in tools plus the tools of its enabled MCP servers (as last
 * listed). What the agent runtime offers, what tools.list shows and what tools.test runs.
 */
import { type DbExecutor, listMcpServers } from "@gathering/db";
import { builtinTools } from "../catalog";
import type { ToolDefinition, ToolServices } from "../registry";
import { toolsOfServer } from "./mcp-tools";

export async function loadProjectTools(
  db: DbExecutor,
  services: Pick<ToolServices, "mcp">,
  projectId: string,
  base: ReadonlyMap<string, ToolDefinition> = builtinTools,
): Promise<ReadonlyMap<string, ToolDefinition>> {
  const { mcp } = services;
  if (!mcp) return base;
  const servers = await listMcpServers(db, { projectId, enabledOnly: true });
  if (servers.length === 0) return base;
  const tools = new Map(base);
  for (const server of servers) {
    for (const tool of toolsOfServer(server, mcp)) {
      if (!tools.has(tool.name)) tools.set(tool.name, tool);
    }
  }
  return tools;
}
