/** API errors as a person can act on them: one message, a message per form field, and the app-level code. */
import type { AppRouter } from "@gathering/api";
import type { TRPCClientErrorLike } from "@trpc/client";

export type ApiError = TRPCClientErrorLike<AppRouter>;

type FieldErrors = Record<string, string[] | undefined>;

export function appCodeOf(error: ApiError | null | undefined): string | undefined {
  return error?.data?.appCode;
}

export function errorMessage(error: ApiError | null | undefined): string {
  if (!error) return "";
  // No error data means the answer never came from the API: the request failed on the way.
  if (!error.data && /fetch|network|load failed/i.test(error.message)) {
    return "Could not reach the server. Check the connection and try again.";
  }
  return error.message;
}

/** The first message for each invalid input field, from the API's flattened zod error. */
export function fieldErrorsOf(error: ApiError | null | undefined): Record<string, string> {
  const fieldErrors = (error?.data?.zodError?.fieldErrors ?? {}) as FieldErrors;
  const firstMessages: Record<string, string> = {};
  for (const [field, messages] of Object.entries(fieldErrors)) {
    const first = messages?.[0];
    if (first) firstMessages[field] = first;
  }
  return firstMessages;
}

/** A message for the form as a whole: field errors are shown next to their fields instead. */
export function formErrorMessage(error: ApiError | null | undefined, fieldsShown: readonly string[]): string | null {
  if (!error) return null;
  const fieldErrors = fieldErrorsOf(error);
  const unshown = Object.entries(fieldErrors).filter(([field]) => !fieldsShown.includes(field));
  if (Object.keys(fieldErrors).length > 0 && unshown.length === 0) return null;
  if (unshown.length > 0) return unshown.map(([, message]) => message).join(" ");
  return errorMessage(error);
}
