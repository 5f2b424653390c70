/**
 * What a form submitted and what the procedure said about it, without the framework: FormData read as
 * text and numbers, and a refused call (TRPCError from the server caller) as field errors by path and a
 * message for the form. Used by runFormAction and the sign-in and sign-up actions.
 */
import { appCodeOfTRPCError } from "@gathering/api";
import { AppError } from "@gathering/core";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { ENHANCED_FIELD, type ErrorTree, type FieldErrors, type FormValues, fieldErrorsOfTree, type InvalidFormState } from "./form-state";

/** The first message per field path of a zod error ("members.0.agentId"); issues about the whole input have the path "". */
export function fieldErrorsOfZod(error: ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join(".");
    errors[path] ??= issue.message;
  }
  return errors;
}

/**
 * A refused call as the form shows it: zod issues by field; an AppError whose details name a field (or
 * carry a domain validator's issues) on that field; anything else as the form's message. Never a stack,
 * SQL or driver text: an unexpected failure reads "Internal server error", as through the HTTP API.
 */
export function invalidStateOf(error: unknown, values: FormValues): InvalidFormState {
  if (!(error instanceof TRPCError)) throw error;
  const cause = error.cause;
  const state: InvalidFormState = { status: "invalid", fieldErrors: {}, formError: null, appCode: null, values };
  if (cause instanceof ZodError) {
    const { "": wholeInput, ...byField } = fieldErrorsOfZod(cause);
    return { ...state, fieldErrors: byField, formError: wholeInput ?? null, appCode: "VALIDATION_FAILED" };
  }
  if (cause instanceof AppError) {
    const details = cause.details ?? {};
    const issues = details.issues;
    if (cause.code === "VALIDATION_FAILED" && issues && typeof issues === "object") {
      const { "": wholeInput, ...byField } = fieldErrorsOfTree(issues as ErrorTree);
      if (Object.keys(byField).length > 0) return { ...state, fieldErrors: byField, formError: wholeInput ?? null, appCode: cause.code };
    }
    if (typeof details.field === "string") return { ...state, fieldErrors: { [details.field]: cause.message }, appCode: cause.code };
    return { ...state, formError: cause.message, appCode: cause.code };
  }
  if (error.code === "INTERNAL_SERVER_ERROR") return { ...state, formError: "Internal server error", appCode: "INTERNAL" };
  return { ...state, formError: error.message, appCode: appCodeOfTRPCError(error) };
}

/** What was typed, to fill the form in again; files, secrets and the framework's own fields left out. */
export function submittedValuesOf(formData: FormData, secretFields: readonly string[] = []): FormValues {
  const values: FormValues = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value !== "string" || name.startsWith("$ACTION") || name === ENHANCED_FIELD || secretFields.includes(name)) continue;
    const existing = values[name];
    values[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return values;
}

/** A text field's value; "" when it was not sent (a disabled field, an unchecked box). */
export function textOf(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === "string" ? value : "";
}

export function textsOf(formData: FormData, name: string): string[] {
  return formData.getAll(name).filter((value): value is string => typeof value === "string");
}

/**
 * An optional number field: empty means "not set" (the schema's default); text that is no number is the
 * form's own error, recorded in `errors` under the field's path, since the schema would only see NaN.
 */
export function optionalNumberOf(formData: FormData, name: string, errors: FieldErrors, path = name): number | undefined {
  const text = textOf(formData, name).trim();
  if (text === "") return undefined;
  const parsed = Number(text);
  if (Number.isFinite(parsed)) return parsed;
  errors[path] = "Enter a number";
  return undefined;
}

/** A number the form needs: empty or not a number is the form's own error ("Enter a number"). */
export function requiredNumberOf(formData: FormData, name: string, errors: FieldErrors, path = name): number | undefined {
  const value = optionalNumberOf(formData, name, errors, path);
  if (value === undefined) errors[path] ??= "Enter a number";
  return value;
}

export function isEnhancedSubmission(formData: FormData): boolean {
  return formData.get(ENHANCED_FIELD) === "1";
}
