/** tokens.revoke: the token stops working at once on every instance. */
import { revokeProjectApiToken } from "@gathering/core";
import { z } from "zod";
import { projectProcedure } from "../../trpc";

export const revoke = projectProcedure("admin")
  .input(z.object({ tokenId: z.uuid() }))
  .mutation(async ({ ctx, input }) => {
    const { tokenHash } = await revokeProjectApiToken(ctx.db, ctx.actor, { projectId: ctx.project.id, tokenId: input.tokenId });
    await ctx.services.announceTokenRevoked(tokenHash);
    return { tokenId: input.tokenId, isRevoked: true };
  });
