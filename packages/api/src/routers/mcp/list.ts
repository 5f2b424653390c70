/** mcp.list: the project's MCP servers with their status (connected, tool count, last error); never their secrets. */
import { listMcpServers } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const list = projectProcedure("member").query(({ ctx }) => listMcpServers(ctx.db, { projectId: ctx.project.id }));
