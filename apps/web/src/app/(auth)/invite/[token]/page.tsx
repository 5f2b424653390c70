/** /invite/TOKEN: the link an admin shares. Signed in, one click joins; otherwise sign up (or in) first. */
import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInvitation } from "~/components/auth/accept-invitation";
import { createServerApi } from "~/server/session";

export const metadata: Metadata = { title: "Invitation" };
export const dynamic = "force-dynamic";

async function signedInEmail(): Promise<string | null> {
  const { caller, api } = await createServerApi();
  if (!caller) return null;
  try {
    return (await api.auth.me()).email;
  } catch (error) {
    if (error instanceof TRPCError && error.code === "UNAUTHORIZED") return null;
    throw error;
  }
}

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const email = await signedInEmail();
  const encodedToken = encodeURIComponent(token);

  return (
    <>
      <h1>You are invited</h1>
      <p className="muted">Someone invited you to work with them in a GatheRing project.</p>
      {email ? (
        <AcceptInvitation token={token} email={email} />
      ) : (
        <div className="auth-choices">
          <Link className="button button-primary button-block" href={`/sign-up?invitation=${encodedToken}`}>
            Create an account and join
          </Link>
          <p className="auth-switch">
            Already have an account? <Link href={`/sign-in?next=${encodeURIComponent(`/invite/${encodedToken}`)}`}>Sign in to join</Link>
          </p>
        </div>
      )}
    </>
  );
}
