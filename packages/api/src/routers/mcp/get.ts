/** mcp.get: one MCP server with the tools it listed (and why any were refused). */
import { getMcpServer, ZMcpServerIdInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const get = projectProcedure("member")
  .input(ZMcpServerIdInput)
  .query(({ ctx, input }) => getMcpServer(ctx.db, { projectId: ctx.project.id, serverId: input.serverId }));
