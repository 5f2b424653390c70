/** next-auth's endpoints: sign-in with email and password, sign-out (which revokes the session), CSRF. */
import { createAuthOptions } from "@gathering/auth";
import { webServices } from "@gathering/server";
import NextAuth from "next-auth";

export const dynamic = "force-dynamic";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: RouteContext) {
  const services = webServices();
  await services.ready;
  const nextAuth = NextAuth(createAuthOptions(services.auth));
  return nextAuth(request, context);
}

export { handler as GET, handler as POST };
