/** mcp.create: connects a stdio or streamable HTTP MCP server; its tools join the project's registry. */
import { createMcpServer, ZCreateMcpServerInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { mcpConnectionsOf } from "./connections";

export const create = projectProcedure("admin")
  .input(ZCreateMcpServerInput)
  .mutation(({ ctx, input }) =>
    createMcpServer(ctx.db, mcpConnectionsOf(ctx.services), ctx.actor, { ...input, projectId: ctx.project.id }),
  );
