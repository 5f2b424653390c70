/** auth.me: the signed-in user and their projects with roles. */
import { getAccount } from "@gathering/core";
import { protectedProcedure } from "../../trpc";

export const me = protectedProcedure.query(async ({ ctx }) => ({
  ...(await getAccount(ctx.db, ctx.caller.userId)),
  source: ctx.caller.source ?? "session",
  tokenScope: ctx.caller.tokenScope ?? null,
}));
