/** members.list: everyone in the project with their role. */
import { listProjectMembers } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const list = projectProcedure("viewer").query(({ ctx }) => listProjectMembers(ctx.db, ctx.project.id));
