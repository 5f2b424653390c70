/**
 * The one way a form's server action runs: read the FormData, call the tRPC procedure through the
 * signed-in user's server caller (the same procedure, validation and authorization as the typed client),
 * and answer with the procedure's own errors by field, or with the created object. A plain HTML post
 * (no JavaScript yet) is redirected to the object instead, since no script is there to navigate.
 */
import { AppError } from "@gathering/core";
import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { ZodError, type z } from "zod";
import { createServerApi } from "~/server/session";
import {
  ENHANCED_FIELD,
  type ErrorTree,
  type FieldErrors,
  type FormState,
  type FormValues,
  fieldErrorsOfTree,
  type InvalidFormState,
} from "./form-state";

export type ServerApi = Awaited<ReturnType<typeof createServerApi>>["api"];

/** The app-level code for a tRPC error that did not come from an AppError (as the API's error formatter names it). */
const appCodeFor: Partial<Record<TRPCError["code"], string>> = {
  BAD_REQUEST: "BAD_REQUEST",
  PARSE_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  TIMEOUT: "TIMEOUT",
  SERVICE_UNAVAILABLE: "UNAVAILABLE",
};

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
  return { ...state, formError: error.message, appCode: appCodeFor[error.code] ?? "INTERNAL" };
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

export interface FormActionSpec<Input, Data> {
  formData: FormData;
  /** Fields never sent back to the page (a password is not rendered into HTML). */
  secretFields?: readonly string[];
  /** The fields as the procedure's input, and the conversion's own errors by field (a number that is not one). */
  parse: (formData: FormData) => { input: Input; fieldErrors?: FieldErrors };
  /**
   * The procedure's own schema, applied to the input: when the conversion already refused a field, the
   * procedure is not called, and this names the other fields' problems in the same words, so they all show at once.
   */
  schema?: (input: Input) => z.ZodSafeParseResult<unknown>;
  call: (api: ServerApi, input: Input) => Promise<Data>;
  /** Done after the call succeeded, before answering (setting a cookie, signing in). May refuse like the call. */
  afterSuccess?: (data: Data) => Promise<void>;
  redirectTo: (data: Data) => string;
}

export async function runFormAction<Input, Data>(spec: FormActionSpec<Input, Data>): Promise<FormState<Data>> {
  const values = submittedValuesOf(spec.formData, spec.secretFields);
  const { input, fieldErrors: conversionErrors = {} } = spec.parse(spec.formData);
  if (Object.keys(conversionErrors).length > 0) {
    const checked = spec.schema?.(input);
    const schemaErrors = checked && !checked.success ? fieldErrorsOfZod(checked.error) : {};
    const { "": wholeInput, ...byField } = { ...schemaErrors, ...conversionErrors };
    return { status: "invalid", fieldErrors: byField, formError: wholeInput ?? null, appCode: "VALIDATION_FAILED", values };
  }
  const { api } = await createServerApi();
  let data: Data;
  try {
    data = await spec.call(api, input);
    await spec.afterSuccess?.(data);
  } catch (error) {
    return invalidStateOf(error, values);
  }
  const href = spec.redirectTo(data);
  // redirect() throws; it must stay outside the try above, which would take it for a refusal.
  if (!isEnhancedSubmission(spec.formData)) redirect(href);
  return { status: "success", data, redirectTo: href };
}
