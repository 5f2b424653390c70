/** tokens.create: a new API token, returned once in full (`gat_...`). */
import { AppError, createApiToken, ZApiTokenName, ZProjectRole } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const ZCreateApiTokenInput = z.object({
  name: ZApiTokenName,
  role: ZProjectRole.default("member"),
  expiresInDays: z.number().int().min(1).max(3_650).optional(),
});

export const create = projectProcedure("member")
  .input(ZCreateApiTokenInput)
  .mutation(({ ctx, input }) => {
    if (ctx.caller.tokenScope) throw new AppError("FORBIDDEN", "An API token cannot create other tokens");
    return createApiToken(ctx.db, ctx.actor, { ...input, projectId: ctx.project.id });
  });
