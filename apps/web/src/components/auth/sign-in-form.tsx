"use client";
/** Email and password sign-in through next-auth's credentials provider, without leaving the page on failure. */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { TextField } from "~/components/field";
import { signInErrorMessage } from "./sign-in-errors";

export function SignInForm({ nextPath, initialError }: { nextPath: string; initialError: string | null }) {
  const router = useRouter();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(initialError ? signInErrorMessage(initialError) : null);
  const [isPending, setIsPending] = useState(false);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setIsPending(true);
    const result = await signIn("credentials", { email, password, redirect: false }).catch(() => undefined);
    if (!result?.ok || result.error) {
      setError(result ? signInErrorMessage(result.error) : "Could not reach the server. Check the connection and try again.");
      setIsPending(false);
      return;
    }
    router.push(nextPath);
    router.refresh();
  }

  return (
    <>
      <h1>Sign in</h1>
      <p className="muted">Welcome back to GatheRing.</p>
      <form className="auth-form" onSubmit={handleSubmit} noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          required
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        {error ? (
          <p className="inline-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={isPending}>
          {isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-switch">
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </>
  );
}
