/** /sign-in: where next-auth sends anyone who is not signed in. `?next=` is where to go afterwards. */
import type { Metadata } from "next";
import { safeNextPath } from "~/components/auth/sign-in-errors";
import { SignInForm } from "~/components/auth/sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const firstOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  return <SignInForm nextPath={safeNextPath(firstOf(params.next))} initialError={firstOf(params.error) ?? null} />;
}
