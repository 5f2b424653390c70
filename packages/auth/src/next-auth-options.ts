/**
 * next-auth v4 configuration: email + password (credentials) with JWT sessions. Each session carries
 * its own id (`sid`, stable for the session's life; next-auth renews the JWT's own `jti` on every
 * refresh), which sign-out records as revoked so the cookie is dead everywhere, also after restarts.
 */
import { randomUUID } from "node:crypto";
import {
  type AccountsConfig,
  AppError,
  type FailureCounter,
  type Logger,
  type RateLimiter,
  recordAudit,
  signIn,
  ZSignInInput,
} from "@gathering/core";
import type { Database } from "@gathering/db";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { RevocationCache } from "./revocation-cache";

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export interface AuthServices {
  db: Database;
  logger: Logger;
  accounts: AccountsConfig;
  limiter: RateLimiter & FailureCounter;
  revocations: RevocationCache;
  secret: string;
  /** True when served over https (cookies get the __Secure- prefix and the Secure flag). */
  isSecure: boolean;
}

export function sessionCookieName(isSecure: boolean): string {
  return isSecure ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

export function clientAddressFromHeaders(headers: Record<string, string | string[] | undefined> | Headers): string {
  const value = headers instanceof Headers ? headers.get("x-gathering-client-ip") : headers["x-gathering-client-ip"];
  return (Array.isArray(value) ? value[0] : value) ?? "unknown";
}

export function createAuthOptions(services: AuthServices): NextAuthOptions {
  return {
    secret: services.secret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    useSecureCookies: services.isSecure,
    logger: {
      error: (code, metadata) => services.logger.error({ code, metadata }, "next-auth error"),
      warn: (code) => services.logger.warn({ code }, "next-auth warning"),
      debug: () => {},
    },
    providers: [
      CredentialsProvider({
        name: "Email",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          const parsed = ZSignInInput.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          try {
            const user = await signIn({ db: services.db, config: services.accounts, limiter: services.limiter }, parsed.data, {
              ip: clientAddressFromHeaders(request.headers ?? {}),
            });
            return { id: user.id, email: user.email, name: user.name };
          } catch (error) {
            // next-auth passes an Error's message to the sign-in page as ?error=...
            if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw new Error(error.message);
            if (error instanceof AppError && error.code === "UNAUTHORIZED") return null;
            throw error;
          }
        },
      }),
    ],
    callbacks: {
      jwt: ({ token, user }) => {
        if (user) {
          token.sub = user.id;
          token.sid = randomUUID();
        }
        return token;
      },
      session: ({ session, token }) => {
        if (session.user && token.sub) Object.assign(session.user, { id: token.sub });
        return session;
      },
    },
    events: {
      signOut: async ({ token }) => {
        const sessionId = typeof token?.sid === "string" ? token.sid : null;
        if (!sessionId || !token.sub) return;
        const expiresAt = new Date((typeof token.exp === "number" ? token.exp : Date.now() / 1000 + SESSION_MAX_AGE_SECONDS) * 1000);
        await services.revocations.revokeSession({ sessionId, userId: token.sub, expiresAt });
        await recordAudit(services.db, { actorUserId: token.sub, action: "auth.sign_out", target: sessionId });
      },
    },
  };
}
