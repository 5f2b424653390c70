/**
 * A knowledge base's own fields (name, description, chunk size and overlap), as the new-base form and the
 * settings form both show them: the same labels, hints, limits, names in the form data and error wiring.
 * `embeddingField` goes first in the grid (only a new base picks its model here; settings re-index instead).
 */
import { type ReactNode, useId } from "react";
import { TextField } from "~/components/field";
import { type ApiError, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import styles from "./knowledge.module.css";

/** Each shown field's first message (the flattened zod error's, or an AppError's whose details name the field), and the rest for the form. */
export function formErrorsOf(error: ApiError | null, fields: readonly string[]) {
  const fieldErrors = fieldErrorsOf(error);
  const details = error?.data?.details as { field?: unknown } | null | undefined;
  const detailsField = typeof details?.field === "string" ? details.field : null;
  const byField: Record<string, string | undefined> = {};
  for (const field of fields) byField[field] = fieldErrors[field] ?? (detailsField === field ? errorMessage(error) : undefined);
  const isShown = Object.values(byField).some((message) => message !== undefined);
  const unshown = Object.entries(fieldErrors).filter(([field]) => !fields.includes(field));
  const formError = !error
    ? null
    : unshown.length > 0
      ? unshown.map(([field, message]) => `${field}: ${message}`).join(" ")
      : isShown
        ? null
        : errorMessage(error);
  return { byField, formError };
}

/** Empty means "the server's default"; anything else is sent as typed, so the schema judges it. */
export function numberOrDefault(text: string): number | undefined {
  return text.trim() === "" ? undefined : Number(text);
}

export interface KnowledgeBaseDraft {
  name: string;
  description: string;
  chunkSize: string;
  chunkOverlap: string;
}

export type KnowledgeBaseField = keyof KnowledgeBaseDraft;

interface KnowledgeBaseFieldsProps {
  draft: KnowledgeBaseDraft;
  onChange: (field: KnowledgeBaseField, value: string) => void;
  errors: Partial<Record<KnowledgeBaseField, string | undefined>>;
  embeddingField?: ReactNode;
}

export function KnowledgeBaseFields({ draft, onChange, errors, embeddingField }: KnowledgeBaseFieldsProps) {
  const descriptionId = useId();
  const descriptionHintId = `${descriptionId}-hint`;
  const descriptionErrorId = `${descriptionId}-error`;
  return (
    <>
      <TextField
        label="Name"
        name="name"
        value={draft.name}
        maxLength={100}
        required
        error={errors.name}
        onChange={(event) => onChange("name", event.target.value)}
      />
      <div className="field">
        <label htmlFor={descriptionId}>Description (optional)</label>
        <textarea
          id={descriptionId}
          name="description"
          className={styles.textarea}
          rows={2}
          maxLength={2_000}
          value={draft.description}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={errors.description ? `${descriptionHintId} ${descriptionErrorId}` : descriptionHintId}
          onChange={(event) => onChange("description", event.target.value)}
        />
        <p id={descriptionHintId} className="field-hint">
          What it holds, in up to 2,000 characters; searching the knowledge bases looks at it too.
        </p>
        {errors.description ? (
          <p id={descriptionErrorId} className="field-error">
            {errors.description}
          </p>
        ) : null}
      </div>
      <div className={styles.formGrid}>
        {embeddingField}
        <TextField
          label="Chunk size (characters)"
          name="chunkSize"
          type="number"
          inputMode="numeric"
          value={draft.chunkSize}
          hint="At most this many characters per chunk (200 to 8,000)."
          error={errors.chunkSize}
          onChange={(event) => onChange("chunkSize", event.target.value)}
        />
        <TextField
          label="Chunk overlap (characters)"
          name="chunkOverlap"
          type="number"
          inputMode="numeric"
          value={draft.chunkOverlap}
          hint="Repeated between neighbouring chunks, so a sentence cut at a boundary is found in both; at most half the size."
          error={errors.chunkOverlap}
          onChange={(event) => onChange("chunkOverlap", event.target.value)}
        />
      </div>
    </>
  );
}
