/**
 * The one way a form's server action runs: read the FormData, call the tRPC procedure through the
 * signed-in user's server caller (the same procedure, validation and authorization as the typed client),
 * and answer with the procedure's own errors by field, or with the created object. A plain HTML post
 * (no JavaScript yet) is redirected to the object instead, since no script is there to navigate.
 */
import { redirect } from "next/navigation";
import type { z } from "zod";
import { createServerApi } from "~/server/session";
import { fieldErrorsOfZod, invalidStateOf, isEnhancedSubmission, submittedValuesOf } from "./form-input";
import type { FieldErrors, FormState } from "./form-state";

export type ServerApi = Awaited<ReturnType<typeof createServerApi>>["api"];

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
