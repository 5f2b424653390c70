"use client";
/**
 * The browser half of a form that posts through a server action (~/server/actions). The form element
 * gets the action itself (useActionState), so the server-rendered page posts it before, or without,
 * JavaScript, and the server answers with the page again, errors and all, or with a redirect. Once the
 * page runs, the submit handler takes over: it checks what the browser can check at once, marks the
 * submission as coming from the running page and calls the same action in a transition, so what was typed
 * stays (no form reset), the pending state shows, a lost connection is a message rather than a broken
 * page, and the success callback updates caches, toasts and navigates as before.
 */
import { type FormEvent, useActionState, useEffect, useRef, useState, useTransition } from "react";
import { ENHANCED_FIELD, type FormAction, type FormState, type FormValues, idleFormState } from "~/server/actions/form-state";

interface ServerFormOptions<Data> {
  /** Checks in the browser before sending; false keeps the submission here (the form shows why). */
  validate?: (formData: FormData) => boolean;
  onSuccess?: (data: Data, redirectTo: string) => void | Promise<void>;
}

/** The action itself failed (it answers refusals as state): the request never arrived, or the server broke. */
function failureMessage(error: unknown): string {
  return error instanceof TypeError
    ? "Could not reach the server. Check the connection and try again."
    : "Something went wrong on the server. Try again in a moment.";
}

function valuesOfForm(formData: FormData): FormValues {
  const values: FormValues = {};
  for (const [name, value] of formData.entries()) if (typeof value === "string" && name !== "password") values[name] = value;
  return values;
}

export function useServerForm<Data>(action: FormAction<Data>, options: ServerFormOptions<Data> = {}) {
  // The state of a submission the browser posted itself: the server rendered this page with it.
  const [postedState, formAction] = useActionState<FormState<Data>, FormData>(action, idleFormState);
  const [pageState, setPageState] = useState<FormState<Data> | null>(null);
  const [isPending, startTransition] = useTransition();
  const state = pageState ?? postedState;
  const optionsRef = useRef(options);
  const handled = useRef<FormState<Data> | null>(null);

  useEffect(() => {
    optionsRef.current = options;
  });
  useEffect(() => {
    if (state.status !== "success" || handled.current === state) return;
    handled.current = state;
    void optionsRef.current.onSuccess?.(state.data, state.redirectTo);
  }, [state]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (isPending) return;
    const formData = new FormData(event.currentTarget);
    if (optionsRef.current.validate && !optionsRef.current.validate(formData)) return;
    formData.set(ENHANCED_FIELD, "1");
    startTransition(async () => {
      const next = await action(state, formData).catch(
        (error: unknown): FormState<Data> => ({
          status: "invalid",
          fieldErrors: {},
          formError: failureMessage(error),
          appCode: null,
          values: valuesOfForm(formData),
        }),
      );
      // State set after an await belongs to the transition only when set inside one again.
      startTransition(() => setPageState(next));
    });
  }

  return {
    state,
    isPending,
    /** Done, and the page is about to move on: keep the submit button disabled meanwhile. */
    isSucceeded: state.status === "success",
    formProps: { action: formAction, onSubmit },
  };
}
