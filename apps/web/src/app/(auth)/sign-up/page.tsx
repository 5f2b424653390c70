/** /sign-up: a new account; `?invitation=` carries the token of an invitation link. */
import type { Metadata } from "next";
import { SignUpForm } from "~/components/auth/sign-up-form";

export const metadata: Metadata = { title: "Create an account" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SignUpPage({ searchParams }: { searchParams: SearchParams }) {
  const { invitation } = await searchParams;
  const invitationToken = (Array.isArray(invitation) ? invitation[0] : invitation)?.trim() || null;
  return <SignUpForm invitationToken={invitationToken} />;
}
