/** members.remove: the project always keeps at least one owner. */
import { removeMember } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const remove = projectProcedure("admin")
  .input(z.object({ userId: z.uuid() }))
  .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.actor, { projectId: ctx.project.id, userId: input.userId }));
