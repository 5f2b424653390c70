"use client";
/**
 * Account creation (auth.signUp), optionally through an invitation link, followed by signing in; posted
 * to a server action (signUpAction), so it also works before or without JavaScript.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { rememberProjectId } from "~/components/current-project";
import { TextField } from "~/components/field";
import { useServerForm } from "~/components/server-form";
import { signUpAction } from "~/server/actions/auth";
import { fieldErrorsOf, submittedText, submittedValues } from "~/server/actions/form-state";
import { SIGNED_UP_NOT_SIGNED_IN } from "./sign-in-errors";

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
  const router = useRouter();
  const [passwordError, setPasswordError] = useState<string | undefined>();
  const { state, isPending, isSucceeded, formProps } = useServerForm(signUpAction, {
    validate: (formData) => {
      const problem = passwordProblem(String(formData.get("password") ?? ""));
      setPasswordError(problem);
      return !problem;
    },
    onSuccess: ({ projectId }, redirectTo) => {
      // Open the project the account landed in (the inviting one, or its own).
      rememberProjectId(projectId);
      router.push(redirectTo);
      router.refresh();
    },
  });
  const submitted = submittedValues(state);
  const [name, setName] = useState(() => submittedText(submitted, "name") ?? "");
  const [email, setEmail] = useState(() => submittedText(submitted, "email") ?? "");
  const [password, setPassword] = useState("");
  // A new submission clears what the last one said, as the typed client's mutation did.
  const shown = isPending ? null : state.status === "invalid" ? state : null;
  const fieldErrors = shown ? fieldErrorsOf(shown) : {};
  const code = shown?.appCode ?? null;
  const isSignInFailure = code === SIGNED_UP_NOT_SIGNED_IN;

  return (
    <>
      <h1>Create your account</h1>
      {invitationToken ? (
        <p className="callout callout-info">You are joining a project by invitation. Use the email address the invitation was sent to.</p>
      ) : (
        <p className="muted">The first account of a new installation becomes the owner of its Default project.</p>
      )}
      <form className="auth-form" {...formProps} noValidate>
        {invitationToken ? <input type="hidden" name="invitationToken" value={invitationToken} /> : null}
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
          error={fieldErrors.name}
          required
        />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={fieldErrors.email}
          required
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          hint={`${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. A few unrelated words make a strong one.`}
          error={passwordError ?? fieldErrors.password}
          required
        />
        {shown && !isSignInFailure && Object.keys(fieldErrors).length === 0 ? (
          <div className="inline-error" role="alert">
            <p>{shown.formError}</p>
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
        {isSignInFailure ? (
          <p className="inline-error" role="alert">
            {shown?.formError} <Link href="/sign-in">Sign in</Link>
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={isPending || isSucceeded}>
          {isPending ? "Creating the account…" : isSucceeded ? "Signing in…" : "Create account"}
        </button>
      </form>
      <p className="auth-switch">
        Already have an account? <Link href="/sign-in">Sign in</Link>
      </p>
    </>
  );
}
