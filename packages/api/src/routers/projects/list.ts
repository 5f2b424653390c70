/** projects.list: the projects the caller belongs to, with their role (a token sees its own project only). */
import { listMyProjects } from "@gathering/core";
import { protectedProcedure } from "../../trpc";

export const list = protectedProcedure.query(async ({ ctx }) => {
  const projects = await listMyProjects(ctx.db, ctx.actor);
  const scope = ctx.caller.tokenScope;
  return scope ? projects.filter((project) => project.id === scope.projectId) : projects;
});
