/** members.acceptInvitation: a signed-in user joins the project an invitation link was made for. */
import { AppError, acceptInvitation as accept, getAccount } from "@gathering/core";
import { z } from "zod";
import { strictProtectedProcedure } from "../../trpc";

export const acceptInvitation = strictProtectedProcedure
  .input(z.object({ token: z.string().min(1).max(200) }))
  .mutation(async ({ ctx, input }) => {
    if (ctx.caller.tokenScope) throw new AppError("FORBIDDEN", "Accept invitations while signed in, not with an API token");
    const account = await getAccount(ctx.db, ctx.caller.userId);
    return accept(ctx.db, { ...ctx.actor, email: account.email }, input);
  });
