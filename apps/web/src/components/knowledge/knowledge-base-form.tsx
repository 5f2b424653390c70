"use client";
/**
 * Create a knowledge base: its name, the embedding model (the built-in offline embedder is labelled as
 * such and needs no key) and how documents are chunked. The API's zod schema is the authority: its
 * field errors show next to their fields, anything else above the button.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { Button } from "~/components/ui/button";
import { toast } from "~/components/ui/toast";
import { type ApiError, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { type EmbeddingModelOption, embeddingModelKey, embeddingModelOptionLabel } from "./shared";

/** The server's defaults, shown so nobody has to guess them. */
const DEFAULT_CHUNK_SIZE = "1200";
const DEFAULT_CHUNK_OVERLAP = "150";

const shownFields = ["name", "description", "embedding", "chunkSize", "chunkOverlap"] as const;

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

export function KnowledgeBaseForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const models = useQuery(trpc.knowledge.embeddingModels.queryOptions({ projectId: project.id }));
  if (models.isPending) return <LoadingState label="Loading embedding models…" />;
  if (models.isError) return <ErrorState error={models.error} onRetry={() => models.refetch()} />;
  return <KnowledgeBaseFormFields project={project} models={models.data} />;
}

function KnowledgeBaseFormFields({ project, models }: { project: AccountProject; models: EmbeddingModelOption[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const descriptionId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const firstModel = models.find((model) => model.isOffline) ?? models[0];
  const [modelKey, setModelKey] = useState(firstModel ? embeddingModelKey(firstModel) : "");
  const [chunkSize, setChunkSize] = useState(DEFAULT_CHUNK_SIZE);
  const [chunkOverlap, setChunkOverlap] = useState(DEFAULT_CHUNK_OVERLAP);
  const create = useMutation(
    trpc.knowledge.create.mutationOptions({
      onSuccess: async (created) => {
        toast.success(`Created “${created.name}”`);
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
        router.push(`/knowledge/${created.id}`);
      },
    }),
  );
  const chosen = models.find((model) => embeddingModelKey(model) === modelKey);
  const { byField, formError } = formErrorsOf(create.error, shownFields);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const size = numberOrDefault(chunkSize);
    const overlap = numberOrDefault(chunkOverlap);
    create.mutate({
      projectId: project.id,
      name,
      description,
      ...(chosen ? { embedding: { provider: chosen.provider, model: chosen.model, dimensions: chosen.dimensions } } : {}),
      ...(size !== undefined ? { chunkSize: size } : {}),
      ...(overlap !== undefined ? { chunkOverlap: overlap } : {}),
    });
  }

  return (
    <form className={styles.form} onSubmit={handleSubmit} noValidate aria-label="New knowledge base">
      <TextField
        label="Name"
        value={name}
        maxLength={100}
        required
        error={byField.name}
        onChange={(event) => setName(event.target.value)}
      />
      <div className="field">
        <label htmlFor={descriptionId}>Description (optional)</label>
        <textarea
          id={descriptionId}
          className={styles.textarea}
          rows={2}
          maxLength={2_000}
          value={description}
          aria-invalid={byField.description ? true : undefined}
          aria-describedby={byField.description ? `${descriptionId}-error` : undefined}
          onChange={(event) => setDescription(event.target.value)}
        />
        {byField.description ? (
          <p id={`${descriptionId}-error`} className="field-error">
            {byField.description}
          </p>
        ) : null}
      </div>
      <div className={styles.formGrid}>
        <SelectField
          label="Embedding model"
          value={modelKey}
          options={models.map((model) => ({ value: embeddingModelKey(model), label: embeddingModelOptionLabel(model) }))}
          onChange={setModelKey}
          error={byField.embedding}
        />
        <TextField
          label="Chunk size (characters)"
          type="number"
          inputMode="numeric"
          value={chunkSize}
          hint="At most this many characters per chunk (200 to 8,000)."
          error={byField.chunkSize}
          onChange={(event) => setChunkSize(event.target.value)}
        />
        <TextField
          label="Chunk overlap (characters)"
          type="number"
          inputMode="numeric"
          value={chunkOverlap}
          hint="Repeated between neighbouring chunks, so a sentence cut at a boundary is found in both; at most half the size."
          error={byField.chunkOverlap}
          onChange={(event) => setChunkOverlap(event.target.value)}
        />
      </div>
      {chosen ? (
        <p className={chosen.isOffline ? "muted" : "callout callout-info"} data-testid="embedding-model-note">
          {chosen.isOffline
            ? "The built-in offline embedder runs inside GatheRing with no API key and no network: deterministic, private, and it matches shared words rather than meaning. Full-text search ranks exact words either way."
            : `${chosen.label} needs the provider set up in Settings (an API key for OpenAI, a reachable server for Ollama); documents fail with the reason until it is.`}
        </p>
      ) : null}
      <InlineError message={formError} />
      <div className="button-row">
        <Button type="submit" variant="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create knowledge base"}
        </Button>
      </div>
    </form>
  );
}
