/** projects.create: a new project owned by the caller. */
import { AppError, createProject, ZProjectName } from "@gathering/core";
import { z } from "zod";
import { protectedProcedure } from "../../trpc";

export const ZCreateProjectInput = z.object({ name: ZProjectName });

export const create = protectedProcedure.input(ZCreateProjectInput).mutation(({ ctx, input }) => {
  // A token is scoped to one project; creating others is for people, not scripts.
  if (ctx.caller.tokenScope) throw new AppError("FORBIDDEN", "API tokens cannot create projects");
  return createProject(ctx.db, ctx.actor, input);
});
