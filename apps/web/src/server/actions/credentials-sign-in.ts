/**
 * Signing in from a server action, through next-auth's own route handler (credentials provider, JWT
 * callbacks, session id, cookies, rate limit and audit exactly as at /api/auth). A plain HTML form cannot
 * post to /api/auth/callback/credentials by itself: that needs next-auth's CSRF cookie, which only
 * next-auth's endpoints set and a server-rendered page cannot. So the action asks the handler for the
 * token (setting its cookie on this response when there was none), then posts the credentials to it in
 * process. The action itself is protected by Next.js's own origin check on server actions.
 */
import { createAuthOptions, sessionCookieName } from "@gathering/auth";
import { webServices } from "@gathering/server";
import { cookies, headers } from "next/headers";
import { NextRequest, NextResponse } from "next/server";
import NextAuth from "next-auth";

type AuthRoute = ["csrf"] | ["callback", "credentials"];

async function callNextAuth(route: AuthRoute, body?: URLSearchParams): Promise<Response> {
  const services = webServices();
  await services.ready;
  const requestHeaders = await headers();
  // next-auth reads this request's headers and cookies itself (next/headers); the URL and body are what it is asked.
  const origin = `${requestHeaders.get("x-forwarded-proto") ?? "http"}://${requestHeaders.get("host") ?? "localhost"}`;
  const request = new NextRequest(new URL(`/api/auth/${route.join("/")}`, origin), {
    method: body ? "POST" : "GET",
    ...(body ? { headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() } : {}),
  });
  const handler = NextAuth(createAuthOptions(services.auth));
  return handler(request, { params: Promise.resolve({ nextauth: route }) });
}

function cookiesOf(response: Response) {
  return new NextResponse(null, { headers: response.headers }).cookies.getAll();
}

/** Puts the cookies next-auth answered with on this action's response, so the browser gets them. */
async function keepCookies(response: Response): Promise<void> {
  const jar = await cookies();
  for (const cookie of cookiesOf(response)) jar.set(cookie);
}

/**
 * Signs the browser in; resolves to null, or to next-auth's error (its code, such as "CredentialsSignin",
 * or the message `authorize` threw, such as the rate limiter's), for `signInErrorMessage`.
 */
export async function signInWithCredentials(credentials: { email: string; password: string; callbackUrl: string }): Promise<string | null> {
  const csrf = await callNextAuth(["csrf"]);
  // A new token comes with its cookie; in a server action the cookie is then also seen by the next call.
  await keepCookies(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken?: string };
  if (!csrfToken) return "NoCsrfToken";
  const answer = await callNextAuth(["callback", "credentials"], new URLSearchParams({ ...credentials, csrfToken, json: "true" }));
  const { url } = (await answer.json().catch(() => ({}))) as { url?: string };
  const error = url && URL.canParse(url) ? new URL(url).searchParams.get("error") : "NoAnswer";
  if (error) return error;
  // Anything else that is not a session (a refused CSRF token is sent back to the sign-in page) is no success either.
  const sessionCookie = sessionCookieName(webServices().auth.isSecure);
  if (!cookiesOf(answer).some((cookie) => cookie.name.startsWith(sessionCookie) && cookie.value)) return "NoSession";
  await keepCookies(answer);
  return null;
}
