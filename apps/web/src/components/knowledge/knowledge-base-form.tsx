"use client";
/**
 * Create a knowledge base: its name, the embedding model (the built-in offline embedder is labelled as
 * such and needs no key) and how documents are chunked. Posted to a server action
 * (createKnowledgeBaseAction), so the server-rendered form works before or without JavaScript. The API's
 * zod schema is the authority: its field errors show next to their fields, anything else above the button.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { hasRole } from "~/components/format";
import { useServerForm } from "~/components/server-form";
import { Button } from "~/components/ui/button";
import { toast } from "~/components/ui/toast";
import { isUnderPath, submittedText, submittedValues } from "~/server/actions/form-state";
import { createKnowledgeBaseAction } from "~/server/actions/knowledge";
import { useTRPC } from "~/trpc/react";
import styles from "./knowledge.module.css";
import { type KnowledgeBaseDraft, KnowledgeBaseFields } from "./knowledge-base-fields";
import { type EmbeddingModelOption, embeddingModelKey, embeddingModelOptionLabel } from "./shared";

/** The server's defaults, shown so nobody has to guess them. */
const DEFAULT_CHUNK_SIZE = "1200";
const DEFAULT_CHUNK_OVERLAP = "150";

const shownFields = ["name", "description", "embedding", "chunkSize", "chunkOverlap"] as const;

/** /knowledge/new: the form on a page of its own (the page prefetches the embedding models on the server). */
export function NewKnowledgeBaseView() {
  return (
    <ProjectScope>
      {(project) =>
        hasRole(project.role, "member") ? (
          <section className="section panel" aria-label={`New knowledge base in ${project.name}`}>
            <KnowledgeBaseForm project={project} />
          </section>
        ) : (
          <p className="callout callout-info">Members and above can create knowledge bases.</p>
        )
      }
    </ProjectScope>
  );
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
  const create = useServerForm(createKnowledgeBaseAction, {
    onSuccess: async (created, redirectTo) => {
      toast.success(`Created “${created.name}”`);
      await queryClient.invalidateQueries({ queryKey: trpc.knowledge.list.queryKey() });
      router.push(redirectTo);
    },
  });
  // What the page was posted with, when the server rendered it again with errors.
  const posted = submittedValues(create.state);
  const [draft, setDraft] = useState<KnowledgeBaseDraft>(() => ({
    name: submittedText(posted, "name") ?? "",
    description: submittedText(posted, "description") ?? "",
    chunkSize: submittedText(posted, "chunkSize") ?? DEFAULT_CHUNK_SIZE,
    chunkOverlap: submittedText(posted, "chunkOverlap") ?? DEFAULT_CHUNK_OVERLAP,
  }));
  const firstModel = models.find((model) => model.isOffline) ?? models[0];
  const [modelKey, setModelKey] = useState(submittedText(posted, "embedding") ?? (firstModel ? embeddingModelKey(firstModel) : ""));
  const chosen = models.find((model) => embeddingModelKey(model) === modelKey);
  // A new submission clears what the last one said, as a mutation does.
  const refusal = !create.isPending && create.state.status === "invalid" ? create.state : null;
  const fieldErrors = refusal?.fieldErrors ?? {};
  const byField = (field: (typeof shownFields)[number]) => Object.entries(fieldErrors).find(([path]) => isUnderPath(path, field))?.[1];
  const unshown = Object.entries(fieldErrors).filter(([path]) => !shownFields.some((field) => isUnderPath(path, field)));
  const formError = unshown.length > 0 ? unshown.map(([path, message]) => `${path}: ${message}`).join(" ") : (refusal?.formError ?? null);

  return (
    <form className={styles.form} {...create.formProps} noValidate aria-label="New knowledge base">
      <input type="hidden" name="projectId" value={project.id} />
      <KnowledgeBaseFields
        draft={draft}
        onChange={(field, value) => setDraft((current) => ({ ...current, [field]: value }))}
        errors={{
          name: byField("name"),
          description: byField("description"),
          chunkSize: byField("chunkSize"),
          chunkOverlap: byField("chunkOverlap"),
        }}
        embeddingField={
          <SelectField
            label="Embedding model"
            name="embedding"
            value={modelKey}
            options={models.map((model) => ({ value: embeddingModelKey(model), label: embeddingModelOptionLabel(model) }))}
            onChange={setModelKey}
            error={byField("embedding")}
          />
        }
      />
      {chosen ? (
        <p className={chosen.isOffline ? "muted" : "callout callout-info"} data-testid="embedding-model-note">
          {chosen.isOffline
            ? "The built-in offline embedder runs inside GatheRing with no API key and no network: deterministic, private, and it matches shared words rather than meaning. Full-text search ranks exact words either way."
            : `${chosen.label} needs the provider set up in Settings (an API key for OpenAI, a reachable server for Ollama); documents fail with the reason until it is.`}
        </p>
      ) : null}
      <InlineError message={formError} />
      <div className="button-row">
        <Button type="submit" variant="primary" disabled={create.isPending || create.isSucceeded}>
          {create.isPending || create.isSucceeded ? "Creating…" : "Create knowledge base"}
        </Button>
      </div>
    </form>
  );
}
