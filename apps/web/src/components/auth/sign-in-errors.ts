/** next-auth reports a failed sign-in as a code or as the message the server threw; these are what a person sees. */

/** The sign-up action's code for "the account is made, but signing in failed": the form offers to sign in. */
export const SIGNED_UP_NOT_SIGNED_IN = "SIGNED_UP_NOT_SIGNED_IN";

/** A null from `authorize` (wrong email or password) reaches the client as this code. */
const WRONG_CREDENTIALS = "CredentialsSignin";

export function signInErrorMessage(error: string | null | undefined): string {
  if (!error || error === WRONG_CREDENTIALS) return "Wrong email or password";
  // The rate limiter's message says how long to wait; it is written for people.
  if (error.startsWith("Too many")) return error;
  return "Signing in failed. Try again in a moment.";
}

/** Only paths on this site: an open redirect would let a link send people elsewhere after signing in. */
export function safeNextPath(value: string | undefined): string {
  if (!value?.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  return value;
}
