/** tokens.list: the project's API tokens (name, role, prefix, last use); never the secret. */
import { listProjectApiTokens } from "@gathering/core";
import { projectProcedure } from "../../trpc";

export const list = projectProcedure("member").query(({ ctx }) => listProjectApiTokens(ctx.db, ctx.project.id));
