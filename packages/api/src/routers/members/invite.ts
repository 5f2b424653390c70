/** members.invite: an invitation link for an email address (shown once; no mail server needed). */
import { inviteMember, ZEmail, ZProjectRole } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const ZInviteMemberInput = z.object({ email: ZEmail, role: ZProjectRole });

export const invite = projectProcedure("admin")
  .input(ZInviteMemberInput)
  .mutation(({ ctx, input }) => inviteMember(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id }));
