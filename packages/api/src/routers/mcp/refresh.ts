/** mcp.refresh: tests the connection afresh and lists the server's tools again. */
import { refreshMcpServer, ZMcpServerIdInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { mcpConnectionsOf } from "./connections";

export const refresh = projectProcedure("admin")
  .input(ZMcpServerIdInput)
  .mutation(({ ctx, input }) =>
    refreshMcpServer(ctx.db, mcpConnectionsOf(ctx.services), { projectId: ctx.project.id, serverId: input.serverId }),
  );
