"use client";
/** Account creation (auth.signUp), optionally through an invitation link, followed by signing in. */
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { type FormEvent, useState } from "react";
import { rememberProjectId } from "~/components/current-project";
import { TextField } from "~/components/field";
import { appCodeOf, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { signInErrorMessage } from "./sign-in-errors";

const PASSWORD_MIN_LENGTH = 12;
const PASSWORD_MAX_LENGTH = 256;

/** Counted in characters as the API counts them (an emoji is one), so both sides agree. */
function passwordProblem(password: string): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

export function SignUpForm({ invitationToken }: { invitationToken: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [passwordError, setPasswordError] = useState<string | undefined>();
  const [signInError, setSignInError] = useState<string | null>(null);
  const [isSigningIn, setIsSigningIn] = useState(false);
  const signUp = useMutation(trpc.auth.signUp.mutationOptions());
  const fieldErrors = fieldErrorsOf(signUp.error);
  const code = appCodeOf(signUp.error);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setSignInError(null);
    const problem = passwordProblem(password);
    setPasswordError(problem);
    if (problem) return;
    signUp.mutate(
      { name, email, password, invitationToken: invitationToken ?? undefined },
      {
        onSuccess: async (user) => {
          // Open the project the account landed in (the inviting one, or its own).
          rememberProjectId(user.projectId);
          setIsSigningIn(true);
          const result = await signIn("credentials", { email, password, redirect: false }).catch(() => undefined);
          if (!result?.ok || result.error) {
            setIsSigningIn(false);
            setSignInError(`Your account is ready, but signing in failed: ${signInErrorMessage(result?.error)}.`);
            return;
          }
          router.push("/");
          router.refresh();
        },
      },
    );
  }

  const isBusy = signUp.isPending || isSigningIn;
  return (
    <>
      <h1>Create your account</h1>
      {invitationToken ? (
        <p className="callout callout-info">You are joining a project by invitation. Use the email address the invitation was sent to.</p>
      ) : (
        <p className="muted">The first account of a new installation becomes the owner of its Default project.</p>
      )}
      <form className="auth-form" onSubmit={handleSubmit} noValidate>
        <TextField
          label="Name"
          autoComplete="name"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
          error={fieldErrors.name}
          required
        />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email}
          required
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A few unrelated words make a strong one.`}
          error={passwordError ?? fieldErrors.password}
          required
        />
        {signUp.isError && Object.keys(fieldErrors).length === 0 ? (
          <div className="inline-error" role="alert">
            <p>{errorMessage(signUp.error)}</p>
            {code === "CONFLICT" ? (
              <p>
                <Link href="/sign-in">Sign in instead</Link>
              </p>
            ) : code === "FORBIDDEN" && !invitationToken ? (
              <p>Ask an admin of a project for an invitation link, then open it.</p>
            ) : null}
          </div>
        ) : null}
        {fieldErrors.invitationToken ? (
          <p className="inline-error" role="alert">
            This invitation link is damaged; open it again from the message it came in.
          </p>
        ) : null}
        {signInError ? (
          <p className="inline-error" role="alert">
            {signInError} <Link href="/sign-in">Sign in</Link>
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={isBusy}>
          {signUp.isPending ? "Creating the account…" : isSigningIn ? "Signing in…" : "Create account"}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
