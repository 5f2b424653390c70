"use server";
/** Sign-in and sign-up forms' server actions: they work from the server-rendered page, before or without JavaScript. */
import { redirect } from "next/navigation";
import { SIGNED_UP_NOT_SIGNED_IN, safeNextPath, signInErrorMessage } from "~/components/auth/sign-in-errors";
import { createServerApi } from "~/server/session";
import { signInWithCredentials } from "./credentials-sign-in";
import { invalidStateOf, isEnhancedSubmission, submittedValuesOf, textOf } from "./form-input";
import type { FormState } from "./form-state";
import { rememberProjectOnServer } from "./remember-project";

const secretFields = ["password"] as const;

export async function signInAction(_previous: FormState<null>, formData: FormData): Promise<FormState<null>> {
  const values = submittedValuesOf(formData, secretFields);
  const nextPath = safeNextPath(textOf(formData, "next"));
  const error = await signInWithCredentials({
    email: textOf(formData, "email"),
    password: textOf(formData, "password"),
    callbackUrl: nextPath,
  });
  if (error) return { status: "invalid", fieldErrors: {}, formError: signInErrorMessage(error), appCode: "UNAUTHORIZED", values };
  if (!isEnhancedSubmission(formData)) redirect(nextPath);
  return { status: "success", data: null, redirectTo: nextPath };
}

export async function signUpAction(
  _previous: FormState<{ projectId: string }>,
  formData: FormData,
): Promise<FormState<{ projectId: string }>> {
  const values = submittedValuesOf(formData, secretFields);
  const email = textOf(formData, "email");
  const password = textOf(formData, "password");
  const invitationToken = textOf(formData, "invitationToken").trim();
  const { api } = await createServerApi();
  let projectId: string;
  try {
    ({ projectId } = await api.auth.signUp({
      name: textOf(formData, "name"),
      email,
      password,
      invitationToken: invitationToken || undefined,
    }));
  } catch (error) {
    return invalidStateOf(error, values);
  }
  // Open the project the account landed in (the inviting one, or its own).
  await rememberProjectOnServer(projectId);
  const signInError = await signInWithCredentials({ email, password, callbackUrl: "/" });
  if (signInError) {
    return {
      status: "invalid",
      fieldErrors: {},
      formError: `Your account is ready, but signing in failed: ${signInErrorMessage(signInError)}.`,
      appCode: SIGNED_UP_NOT_SIGNED_IN,
      values,
    };
  }
  if (!isEnhancedSubmission(formData)) redirect("/");
  return { status: "success", data: { projectId }, redirectTo: "/" };
}
