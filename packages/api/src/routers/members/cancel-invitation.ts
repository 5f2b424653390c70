/** members.cancelInvitation */
import { cancelInvitation as cancel } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const cancelInvitation = projectProcedure("admin")
  .input(z.object({ invitationId: z.uuid() }))
  .mutation(({ ctx, input }) => cancel(ctx.db, ctx.actor, { projectId: ctx.project.id, invitationId: input.invitationId }));
