/** mcp.delete: removes a server; its connection closes and its tools leave the registry. */
import { deleteMcpServer, ZMcpServerIdInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { mcpConnectionsOf } from "./connections";

export const remove = projectProcedure("admin")
  .input(ZMcpServerIdInput)
  .mutation(({ ctx, input }) =>
    deleteMcpServer(ctx.db, mcpConnectionsOf(ctx.services), ctx.actor, { projectId: ctx.project.id, serverId: input.serverId }),
  );
