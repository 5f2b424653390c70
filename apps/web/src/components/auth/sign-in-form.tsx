"use client";
/**
 * Email and password sign-in through next-auth's credentials provider, posted to a server action
 * (signInAction), so it also works before or without JavaScript; a failure keeps the page and the email.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { TextField } from "~/components/field";
import { useServerForm } from "~/components/server-form";
import { signInAction } from "~/server/actions/auth";
import { submittedText, submittedValues } from "~/server/actions/form-state";
import { signInErrorMessage } from "./sign-in-errors";

export function SignInForm({ nextPath, initialError }: { nextPath: string; initialError: string | null }) {
  const router = useRouter();
  const { state, isPending, isSucceeded, formProps } = useServerForm(signInAction, {
    onSuccess: (_data, redirectTo) => {
      router.push(redirectTo);
      router.refresh();
    },
  });
  const [email, setEmail] = useState(() => submittedText(submittedValues(state), "email") ?? "");
  const [password, setPassword] = useState("");
  const error = isPending
    ? null
    : state.status === "invalid"
      ? state.formError
      : state.status === "idle" && initialError
        ? signInErrorMessage(initialError)
        : null;

  return (
    <>
      <h1>Sign in</h1>
      <p className="muted">Welcome back to GatheRing.</p>
      <form className="auth-form" {...formProps} noValidate>
        <input type="hidden" name="next" value={nextPath} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          required
        />
        <TextField
          label="Password"
          name="password"
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
        <button type="submit" className="button button-primary button-block" disabled={isPending || isSucceeded}>
          {isPending || isSucceeded ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p className="auth-switch">
        New here? <Link href="/sign-up">Create an account</Link>
      </p>
    </>
  );
}
