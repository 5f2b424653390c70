/** members.changeRole: admins manage members and viewers; only owners grant or remove ownership. */
import { changeMemberRole, ZProjectRole } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const changeRole = projectProcedure("admin")
  .input(z.object({ userId: z.uuid(), role: ZProjectRole }))
  .mutation(({ ctx, input }) => changeMemberRole(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));
