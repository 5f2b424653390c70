"use client";
/**
 * The editor's small form fields: long text, numbers that may be left empty, JSON that is parsed as it is
 * typed (kept as text while it does not parse), and option lists read from the node schemas' own enums.
 */
import { type ReactNode, type TextareaHTMLAttributes, useId, useState } from "react";
import styles from "./pipelines.module.css";

/** The options of a zod enum, through optional/default wrappers: the form offers what the schema accepts. */
export function enumOptionsOf(schema: unknown): string[] {
  let current = schema as { _zod?: { def?: { innerType?: unknown } }; options?: unknown } | undefined;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (Array.isArray(current.options) && current.options.every((option) => typeof option === "string")) return current.options;
    current = current._zod?.def?.innerType as typeof current;
  }
  return [];
}

function describedByOf(id: string, hint: ReactNode, error: string | undefined): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function HintAndError({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | undefined }) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </>
  );
}

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "onChange" | "value"> {
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
  isMono?: boolean;
}

export function TextAreaField({ label, value, onChange, hint, error, isMono = false, rows = 3, ...rest }: TextAreaFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className={`${styles.textarea}${isMono ? " mono" : ""}`}
        rows={rows}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(id, hint, error)}
        onChange={(event) => onChange(event.target.value)}
        {...rest}
      />
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

interface NumberFieldProps {
  label: string;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  hint?: ReactNode;
  error?: string | undefined;
  min?: number;
  max?: number;
  placeholder?: string;
}

/** A whole number, or nothing (the schema's default then applies). The text is kept as typed; the panel is keyed by node. */
export function NumberField({ label, value, onChange, hint, error, min, max, placeholder }: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(value === undefined ? "" : String(value));
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        placeholder={placeholder}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(id, hint, error)}
        onChange={(event) => {
          setText(event.target.value);
          const number = event.target.valueAsNumber;
          onChange(event.target.value === "" || Number.isNaN(number) ? undefined : number);
        }}
      />
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

interface JsonFieldProps {
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  hint?: ReactNode;
  error?: string | undefined;
  /** What an empty field means: undefined (leave it out) or a value such as {}. */
  emptyValue?: unknown;
  expect?: "object" | "any";
}

export function JsonField({ label, value, onChange, hint, error, emptyValue, expect = "any" }: JsonFieldProps) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [parseError, setParseError] = useState<string | undefined>();
  return (
    <TextAreaField
      label={label}
      value={text}
      rows={4}
      isMono
      spellCheck={false}
      hint={hint}
      error={parseError ?? error}
      onChange={(next) => {
        setText(next);
        if (next.trim() === "") {
          setParseError(undefined);
          onChange(emptyValue);
          return;
        }
        try {
          const parsed: unknown = JSON.parse(next);
          if (expect === "object" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
            setParseError('Write a JSON object, like {"key": "value"}');
            return;
          }
          setParseError(undefined);
          onChange(parsed);
        } catch {
          setParseError("Not valid JSON yet; the last valid value is kept");
        }
      }}
    />
  );
}

interface OptionFieldProps {
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  hint?: ReactNode;
  error?: string | undefined;
}

/** A select whose value may be empty ("Choose…"), unlike SelectField. */
export function OptionField({ label, value, options, onChange, hint, error }: OptionFieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedByOf(id, hint, error)}
        onChange={(event) => onChange(event.target.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}
