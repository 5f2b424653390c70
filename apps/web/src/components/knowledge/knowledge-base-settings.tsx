"use client";
/**
 * A knowledge base's settings: its name, description and chunking (for documents indexed from now
 * on), a re-index with the same or another embedding model (search keeps the current index until the
 * new one is complete), and deleting it. Field errors come from the API's schema.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { Button } from "~/components/ui/button";
import { toast } from "~/components/ui/toast";
import { errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { formErrorsOf, type KnowledgeBaseDraft, KnowledgeBaseFields, numberOrDefault } from "./knowledge-base-fields";
import { type EmbeddingModelOption, embeddingModelKey, embeddingModelOptionLabel, type KnowledgeBase } from "./shared";

interface SettingsProps {
  project: AccountProject;
  knowledgeBase: KnowledgeBase;
}

export function KnowledgeBaseSettings({ project, knowledgeBase }: SettingsProps) {
  return (
    <>
      <EditSettings project={project} knowledgeBase={knowledgeBase} />
      <Reindex project={project} knowledgeBase={knowledgeBase} />
      <DeleteKnowledgeBase project={project} knowledgeBase={knowledgeBase} />
    </>
  );
}

function EditSettings({ project, knowledgeBase }: SettingsProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<KnowledgeBaseDraft>({
    name: knowledgeBase.name,
    description: knowledgeBase.description,
    chunkSize: String(knowledgeBase.chunkSize),
    chunkOverlap: String(knowledgeBase.chunkOverlap),
  });
  const { name, description, chunkSize, chunkOverlap } = draft;
  const update = useMutation(
    trpc.knowledge.update.mutationOptions({
      onSuccess: async (saved) => {
        toast.success(`Saved “${saved.name}”`);
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.get.queryKey() });
      },
    }),
  );
  const { byField, formError } = formErrorsOf(update.error, ["name", "description", "chunkSize", "chunkOverlap"]);
  const isChunkingChanged = chunkSize !== String(knowledgeBase.chunkSize) || chunkOverlap !== String(knowledgeBase.chunkOverlap);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const size = numberOrDefault(chunkSize);
    const overlap = numberOrDefault(chunkOverlap);
    update.mutate({
      projectId: project.id,
      knowledgeBaseId: knowledgeBase.id,
      name,
      description,
      ...(size !== undefined ? { chunkSize: size } : {}),
      ...(overlap !== undefined ? { chunkOverlap: overlap } : {}),
    });
  }

  return (
    <section className="section panel" aria-labelledby="settings-heading">
      <h2 id="settings-heading">Name and chunking</h2>
      <form className={styles.form} onSubmit={handleSubmit} noValidate aria-label="Knowledge base settings">
        <KnowledgeBaseFields
          draft={draft}
          onChange={(field, value) => setDraft((current) => ({ ...current, [field]: value }))}
          errors={byField}
        />
        {isChunkingChanged ? (
          <p className="muted">New chunking applies to documents added from now on; re-index below to re-chunk the existing ones.</p>
        ) : null}
        <InlineError message={formError} />
        <div className="button-row">
          <Button type="submit" variant="primary" disabled={update.isPending}>
            {update.isPending ? "Saving…" : "Save settings"}
          </Button>
        </div>
      </form>
    </section>
  );
}

function Reindex({ project, knowledgeBase }: SettingsProps) {
  const trpc = useTRPC();
  const models = useQuery(trpc.knowledge.embeddingModels.queryOptions({ projectId: project.id }));
  return (
    <section className="section panel" aria-labelledby="reindex-heading">
      <h2 id="reindex-heading">Re-index</h2>
      <p className="muted">
        Chunk and embed every ready document again, with the current chunking and the model chosen here. Search keeps answering from the
        current index until the new one is complete.
      </p>
      {models.isPending ? (
        <LoadingState label="Loading embedding models…" />
      ) : models.isError ? (
        <ErrorState error={models.error} onRetry={() => models.refetch()} />
      ) : (
        <ReindexForm project={project} knowledgeBase={knowledgeBase} models={models.data} />
      )}
    </section>
  );
}

function ReindexForm({ project, knowledgeBase, models }: SettingsProps & { models: EmbeddingModelOption[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const currentKey = embeddingModelKey(knowledgeBase.embedding);
  const [modelKey, setModelKey] = useState(currentKey);
  const options = models.map((model) => ({ value: embeddingModelKey(model), label: embeddingModelOptionLabel(model) }));
  // A base may use a model the list does not offer (named with its dimensions through the API).
  if (!options.some((option) => option.value === currentKey)) {
    options.unshift({ value: currentKey, label: `${currentKey} · ${knowledgeBase.embedding.dimensions} dimensions (current)` });
  }
  const chosen = models.find((model) => embeddingModelKey(model) === modelKey);
  const reindex = useMutation(
    trpc.knowledge.reindex.mutationOptions({
      onSuccess: async (result) => {
        toast.success(
          result.pendingIndex
            ? `Re-indexing ${result.documentsQueued} document${result.documentsQueued === 1 ? "" : "s"}`
            : "Re-indexed: there was nothing to rebuild",
        );
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.pathKey() });
      },
    }),
  );
  const isModelChange = modelKey !== currentKey;
  return (
    <div className={styles.form}>
      <SelectField label="Embedding model for the new index" value={modelKey} options={options} onChange={setModelKey} />
      <InlineError message={reindex.error ? `Could not re-index: ${errorMessage(reindex.error)}` : null} />
      <div className="button-row">
        <ConfirmButton
          label={isModelChange ? "Re-index with this model" : "Re-index"}
          accessibleLabel={`Re-index ${knowledgeBase.name}`}
          prompt={
            isModelChange
              ? `Rebuild every document's vectors with ${modelKey}? Until it is done, search keeps using ${currentKey}.`
              : "Rebuild every document's chunks and vectors with the current settings?"
          }
          confirmLabel="Re-index"
          isPending={reindex.isPending}
          onConfirm={() =>
            reindex.mutate({
              projectId: project.id,
              knowledgeBaseId: knowledgeBase.id,
              ...(isModelChange && chosen
                ? { embedding: { provider: chosen.provider, model: chosen.model, dimensions: chosen.dimensions } }
                : {}),
            })
          }
        />
      </div>
    </div>
  );
}

function DeleteKnowledgeBase({ project, knowledgeBase }: SettingsProps) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.knowledge.delete.mutationOptions({
      onSuccess: async () => {
        toast.success(`Deleted “${knowledgeBase.name}”`);
        await queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
        router.push("/knowledge");
      },
      onError: (error) => toast.error(`Could not delete the knowledge base: ${errorMessage(error)}`),
    }),
  );
  return (
    <section className="section panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      <p className="muted">Its documents and chunks go with it; agents that search it stop finding them at once.</p>
      <ConfirmButton
        label="Delete knowledge base"
        accessibleLabel={`Delete ${knowledgeBase.name}`}
        prompt={`Delete “${knowledgeBase.name}”, its ${knowledgeBase.documentCount} documents and their chunks?`}
        confirmLabel="Delete knowledge base"
        isPending={remove.isPending}
        onConfirm={() => remove.mutate({ projectId: project.id, knowledgeBaseId: knowledgeBase.id })}
      />
    </section>
  );
}
