/** members.listInvitations: invitations not yet accepted, revoked or expired. */
import { listProjectInvitations } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const listInvitations = projectProcedure("admin").query(({ ctx }) => listProjectInvitations(ctx.db, ctx.project.id));
