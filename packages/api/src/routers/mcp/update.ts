/** mcp.update: renames, enables or disables a server, or changes what it connects to (secrets replaced, never read back). */
import { updateMcpServer, ZUpdateMcpServerInput } from "@gathering/core";
import { projectProcedure } from "../../trpc";
import { mcpConnectionsOf } from "./connections";

export const update = projectProcedure("admin")
  .input(ZUpdateMcpServerInput)
  .mutation(({ ctx, input }) =>
    updateMcpServer(ctx.db, mcpConnectionsOf(ctx.services), ctx.actor, { ...input, projectId: ctx.project.id }),
  );
