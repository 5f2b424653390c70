/** auth.signUp: creates an account under the installation's sign-up policy. Sign-in is next-auth's. */
import { signUp as signUpAccount, ZSignUpInput } from "@gathering/core";
import { strictPublicProcedure } from "../../trpc";

export const signUp = strictPublicProcedure
  .input(ZSignUpInput)
  .mutation(({ ctx, input }) => signUpAccount(ctx.db, ctx.services.accounts, input, { ip: ctx.ip }));
