"use client";
/** A select offering exactly the values of a zod enum in the node schema, so the form cannot drift from it. */
import { enumOptionsOf, OptionField } from "./form-fields";

interface EnumSelectProps {
  label: string;
  schema: unknown;
  value: string;
  onChange: (value: string) => void;
  labels?: Record<string, string>;
  error?: string | undefined;
}

export function EnumSelect({ label, schema, value, onChange, labels, error }: EnumSelectProps) {
  const options = enumOptionsOf(schema).map((option) => ({ value: option, label: labels?.[option] ?? option }));
  return <OptionField label={label} value={value} options={options} onChange={onChange} error={error} />;
}
