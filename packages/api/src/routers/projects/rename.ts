/** projects.rename */
import { renameProject, ZProjectName } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const rename = projectProcedure("admin")
  .input(z.object({ name: ZProjectName }))
  .mutation(({ ctx, input }) => renameProject(ctx.db, ctx.actor, { projectId: ctx.project.id, name: input.name }));
