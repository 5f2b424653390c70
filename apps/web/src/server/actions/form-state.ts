/**
 * What a form's server action answers, shared by the action (server) and its form (browser); no server
 * imports here. A refused submission comes back with the API's field errors by path ("name",
 * "model.model", "members.0.agentId"), a message for the form as a whole and what was typed, so a page
 * rendered without JavaScript shows the same form again, filled in, with its errors.
 */

/** The first message for each invalid field, by its dotted path in the procedure's input. */
export type FieldErrors = Record<string, string>;

/** What was submitted, by field name (several values for repeated fields such as checkboxes). */
export type FormValues = Record<string, string | string[]>;

export interface InvalidFormState {
  status: "invalid";
  fieldErrors: FieldErrors;
  /** For what no field shows: a refusal (FORBIDDEN, CONFLICT), an unreachable service, a field the form lacks. */
  formError: string | null;
  /** The app-level error code (as `data.appCode` on the tRPC client), for forms that explain some codes. */
  appCode: string | null;
  values: FormValues;
}

export type FormState<Data> =
  | { status: "idle" }
  | InvalidFormState
  /** Only a submission made by the running page gets this; a plain HTML post is redirected instead. */
  | { status: "success"; data: Data; redirectTo: string };

export type FormAction<Data> = (previous: FormState<Data>, formData: FormData) => Promise<FormState<Data>>;

export const idleFormState = { status: "idle" } as const;

/**
 * Added by the form's submit handler, i.e. only once the page's JavaScript runs: the action then
 * answers with the created object and the page does what it always did (caches, toasts, navigation).
 * Without it the browser posted the form itself, and the action redirects to the created object.
 */
export const ENHANCED_FIELD = "_enhanced";

/** A domain validator's `z.treeifyError`, as an AppError carries it in `details.issues`. */
export interface ErrorTree {
  errors?: unknown;
  properties?: Record<string, ErrorTree | undefined>;
  items?: (ErrorTree | undefined)[];
}

/** A treeified zod error flattened to the first message per dotted path ("" for the whole input). */
export function fieldErrorsOfTree(tree: ErrorTree, path: string[] = [], errors: FieldErrors = {}): FieldErrors {
  const first = Array.isArray(tree.errors) ? tree.errors.find((message) => typeof message === "string") : undefined;
  if (typeof first === "string") errors[path.join(".")] ??= first;
  for (const [key, child] of Object.entries(tree.properties ?? {})) if (child) fieldErrorsOfTree(child, [...path, key], errors);
  for (const [index, child] of (tree.items ?? []).entries()) if (child) fieldErrorsOfTree(child, [...path, String(index)], errors);
  return errors;
}

/** Errors at `path` or under it ("members" for "members.0.agentId"), where a form shows them together. */
export function isUnderPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

export function fieldErrorsOf(state: FormState<unknown>): FieldErrors {
  return state.status === "invalid" ? state.fieldErrors : {};
}

/** A submitted value (undefined when absent); the first one when the field was repeated. */
export function submittedText(values: FormValues | undefined, name: string): string | undefined {
  const value = values?.[name];
  return Array.isArray(value) ? value[0] : value;
}

export function submittedTexts(values: FormValues | undefined, name: string): string[] {
  const value = values?.[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function submittedValues(state: FormState<unknown>): FormValues | undefined {
  return state.status === "invalid" ? state.values : undefined;
}
