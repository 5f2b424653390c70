"use client";
/**
 * A form for a run's inputs, built from the inputs the pipeline declares: text, number, a checkbox, or
 * JSON for objects and lists. Values are checked here as the run would check them (required, numbers,
 * JSON of the right kind), so a mistake is shown at its field before anything is sent.
 */
import type { PipelineInput } from "@gathering/core/browser";
import { type FormEvent, useId, useState } from "react";
import { InlineError } from "~/components/feedback";
import { parseInputValue } from "./inputs";
import styles from "./pipelines.module.css";
import { toJsonText } from "./shared";

interface RunInputsFormProps {
  inputs: readonly PipelineInput[];
  /** Values to start from (a rerun starts from the earlier run's); else each input's default. */
  initialValues?: Record<string, unknown>;
  submitLabel: string;
  pendingLabel: string;
  isPending: boolean;
  error: string | null;
  onSubmit: (values: Record<string, unknown>) => void;
  onCancel?: () => void;
}

function initialTextOf(input: PipelineInput, value: unknown): string {
  if (value === undefined || value === null) return "";
  if (input.type === "string") return typeof value === "string" ? value : toJsonText(value);
  if (input.type === "number") return String(value);
  if (input.type === "boolean") return value === true ? "true" : "false";
  return toJsonText(value);
}

export function RunInputsForm({
  inputs,
  initialValues,
  submitLabel,
  pendingLabel,
  isPending,
  error,
  onSubmit,
  onCancel,
}: RunInputsFormProps) {
  const formId = useId();
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(inputs.map((input) => [input.name, initialTextOf(input, initialValues?.[input.name] ?? input.default)])),
  );
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const values: Record<string, unknown> = {};
    const errors: Record<string, string> = {};
    for (const input of inputs) {
      const parsed = parseInputValue(input, texts[input.name] ?? "");
      if (parsed.error) errors[input.name] = parsed.error;
      else if (parsed.value !== undefined) values[input.name] = parsed.value;
    }
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    onSubmit(values);
  }

  return (
    <form onSubmit={handleSubmit} noValidate aria-label="Run inputs">
      {inputs.length === 0 ? <p className="muted">This pipeline declares no inputs.</p> : null}
      <div className={styles.inputsGrid}>
        {inputs.map((input) => {
          const id = `${formId}-${input.name}`;
          const fieldError = fieldErrors[input.name];
          const describedBy = [input.description ? `${id}-hint` : null, fieldError ? `${id}-error` : null].filter(Boolean).join(" ");
          const text = texts[input.name] ?? "";
          const setText = (value: string) => setTexts((current) => ({ ...current, [input.name]: value }));
          const label = `${input.name}${input.required ? " (required)" : ""}`;
          return (
            <div className="field" key={input.name}>
              {input.type === "boolean" ? (
                <label className={styles.checkbox}>
                  <input
                    type="checkbox"
                    checked={text === "true"}
                    aria-describedby={describedBy || undefined}
                    onChange={(event) => setText(event.target.checked ? "true" : "false")}
                  />
                  {label}
                </label>
              ) : (
                <>
                  <label htmlFor={id}>
                    {label} <span className="muted">· {input.type}</span>
                  </label>
                  {input.type === "object" || input.type === "array" ? (
                    <textarea
                      id={id}
                      className={`${styles.textarea} mono`}
                      rows={4}
                      value={text}
                      aria-invalid={fieldError ? true : undefined}
                      aria-describedby={describedBy || undefined}
                      onChange={(event) => setText(event.target.value)}
                    />
                  ) : (
                    <input
                      id={id}
                      type={input.type === "number" ? "number" : "text"}
                      step="any"
                      value={text}
                      aria-invalid={fieldError ? true : undefined}
                      aria-describedby={describedBy || undefined}
                      onChange={(event) => setText(event.target.value)}
                    />
                  )}
                </>
              )}
              {input.description ? (
                <p id={`${id}-hint`} className="field-hint">
                  {input.description}
                </p>
              ) : null}
              {fieldError ? (
                <p id={`${id}-error`} className="field-error">
                  {fieldError}
                </p>
              ) : null}
            </div>
          );
        })}
      </div>
      <InlineError message={error} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={isPending}>
          {isPending ? pendingLabel : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className="button button-ghost" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
