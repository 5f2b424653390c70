"use client";
/**
 * The agent form, for a new agent and for editing one. It checks the definition with the API's own
 * validator (ZAgentDefinition) before sending, so each field shows its error at once; what only the
 * server knows (a name already taken, someone else's newer edit) comes back and is shown the same way.
 * A new agent is posted to a server action (createAgentAction), so the server-rendered form also works
 * before or without JavaScript; every field is named by its path in agents.create's input.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, type TextareaHTMLAttributes, useId, useState } from "react";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { hasRole } from "~/components/format";
import { useServerForm } from "~/components/server-form";
import { createAgentAction } from "~/server/actions/agents";
import { type FormValues, submittedText, submittedTexts, submittedValues } from "~/server/actions/form-state";
import { type ApiError, appCodeOf, errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { knowledgeBaseChoicesInput } from "~/trpc/page-queries";
import { useTRPC } from "~/trpc/react";
import styles from "./agents.module.css";
import { providerLabels } from "./model-label";
import { localModelLabel, localModelNames, type ModelProvider, modelProviders, ZAgentDefinition } from "./shared";

type Agent = RouterOutputs["agents"]["get"];

const providerOptions = modelProviders.map((provider) => ({
  value: provider,
  label: provider === "local" ? "Offline demo (local, no API key)" : providerLabels[provider],
}));

const defaultLocalModel = localModelNames[0];

interface ModelDraft {
  key: number;
  provider: ModelProvider;
  model: string;
}

interface AgentDraft {
  name: string;
  role: string;
  goal: string;
  instructions: string;
  model: ModelDraft;
  temperature: string;
  maxTokens: string;
  maxSteps: string;
  fallbackModels: ModelDraft[];
  tools: string;
  shortTermTokens: string;
  longTermEnabled: boolean;
  recallLimit: string;
  profileEnabled: boolean;
  perRunTokens: string;
  perRunUsd: string;
  perDayTokens: string;
  perDayUsd: string;
}

let nextRowKey = 1;
function newModelDraft(provider: ModelProvider = "local", model: string = defaultLocalModel): ModelDraft {
  nextRowKey += 1;
  return { key: nextRowKey, provider, model };
}

const emptyDraft = (): AgentDraft => ({
  name: "",
  role: "",
  goal: "",
  instructions: "",
  model: newModelDraft(),
  temperature: "",
  maxTokens: "",
  maxSteps: "8",
  fallbackModels: [],
  tools: "",
  shortTermTokens: "4000",
  longTermEnabled: true,
  recallLimit: "5",
  profileEnabled: true,
  perRunTokens: "",
  perRunUsd: "",
  perDayTokens: "",
  perDayUsd: "",
});

const text = (value: number | undefined) => (value === undefined ? "" : String(value));

function draftOf(agent: Agent): AgentDraft {
  return {
    name: agent.name,
    role: agent.role,
    goal: agent.goal,
    instructions: agent.instructions,
    model: newModelDraft(agent.model.provider, agent.model.model),
    temperature: text(agent.parameters.temperature),
    maxTokens: text(agent.parameters.maxTokens),
    maxSteps: text(agent.parameters.maxSteps),
    fallbackModels: agent.fallbackModels.map((fallback) => newModelDraft(fallback.provider, fallback.model)),
    tools: agent.tools.join(", "),
    shortTermTokens: text(agent.memory.shortTermTokens),
    longTermEnabled: agent.memory.longTermEnabled,
    recallLimit: text(agent.memory.recallLimit),
    profileEnabled: agent.memory.profileEnabled,
    perRunTokens: text(agent.budgets.perRunTokens),
    perRunUsd: text(agent.budgets.perRunUsd),
    perDayTokens: text(agent.budgets.perDayTokens),
    perDayUsd: text(agent.budgets.perDayUsd),
  };
}

const providerOf = (value: string | undefined): ModelProvider => modelProviders.find((provider) => provider === value) ?? "local";

/** The form as it was posted (a page the server rendered again with its errors, without JavaScript). */
function draftOfValues(values: FormValues): AgentDraft {
  const at = (name: string) => submittedText(values, name) ?? "";
  const fallbackIndices = Object.keys(values)
    .map((name) => /^fallbackModels\.(\d+)\.provider$/.exec(name)?.[1])
    .filter((index): index is string => index !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  return {
    name: at("name"),
    role: at("role"),
    goal: at("goal"),
    instructions: at("instructions"),
    model: newModelDraft(providerOf(at("model.provider")), at("model.model")),
    temperature: at("parameters.temperature"),
    maxTokens: at("parameters.maxTokens"),
    maxSteps: at("parameters.maxSteps"),
    fallbackModels: fallbackIndices.map((index) =>
      newModelDraft(providerOf(at(`fallbackModels.${index}.provider`)), at(`fallbackModels.${index}.model`)),
    ),
    tools: at("tools"),
    shortTermTokens: at("memory.shortTermTokens"),
    longTermEnabled: values["memory.longTermEnabled"] !== undefined,
    recallLimit: at("memory.recallLimit"),
    profileEnabled: values["memory.profileEnabled"] !== undefined,
    perRunTokens: at("budgets.perRunTokens"),
    perRunUsd: at("budgets.perRunUsd"),
    perDayTokens: at("budgets.perDayTokens"),
    perDayUsd: at("budgets.perDayUsd"),
  };
}

type FieldErrors = Record<string, string>;

/** The draft as the validator sees it; numbers that are not numbers are reported here, by field. */
function toDefinition(draft: AgentDraft, knowledgeBaseIds: string[]) {
  const numberErrors: FieldErrors = {};
  const numberAt = (path: string, value: string): number | undefined => {
    const trimmed = value.trim();
    if (trimmed === "") return undefined;
    const parsed = Number(trimmed);
    if (Number.isFinite(parsed)) return parsed;
    numberErrors[path] = "Enter a number";
    return undefined;
  };
  const candidate = {
    name: draft.name,
    role: draft.role,
    goal: draft.goal,
    instructions: draft.instructions,
    model: { provider: draft.model.provider, model: draft.model.model },
    parameters: {
      temperature: numberAt("parameters.temperature", draft.temperature),
      maxTokens: numberAt("parameters.maxTokens", draft.maxTokens),
      maxSteps: numberAt("parameters.maxSteps", draft.maxSteps),
    },
    fallbackModels: draft.fallbackModels.map((fallback) => ({ provider: fallback.provider, model: fallback.model })),
    tools: draft.tools
      .split(/[\s,]+/)
      .map((tool) => tool.trim())
      .filter(Boolean),
    knowledgeBaseIds,
    memory: {
      shortTermTokens: numberAt("memory.shortTermTokens", draft.shortTermTokens),
      longTermEnabled: draft.longTermEnabled,
      recallLimit: numberAt("memory.recallLimit", draft.recallLimit),
      profileEnabled: draft.profileEnabled,
    },
    budgets: {
      perRunTokens: numberAt("budgets.perRunTokens", draft.perRunTokens),
      perRunUsd: numberAt("budgets.perRunUsd", draft.perRunUsd),
      perDayTokens: numberAt("budgets.perDayTokens", draft.perDayTokens),
      perDayUsd: numberAt("budgets.perDayUsd", draft.perDayUsd),
    },
  };
  const result = ZAgentDefinition.safeParse(candidate);
  const errors: FieldErrors = { ...numberErrors };
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join(".") || "form";
      errors[path] ??= issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !result.success) return { errors, definition: null };
  return { errors, definition: result.data };
}

/** The API's field errors (flattened: one level deep) and a refusal that names its field, by the form's paths. */
function apiFieldErrors(error: ApiError | null): FieldErrors {
  if (!error) return {};
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(fieldErrorsOf(error))) {
    errors[field === "model" ? "model.model" : field] = message;
  }
  const details = error.data?.details as { field?: unknown } | null | undefined;
  if (typeof details?.field === "string" && details.field !== "expectedVersion") errors[details.field] = error.message;
  return errors;
}

const shownPaths = [
  "name",
  "role",
  "goal",
  "instructions",
  "model.provider",
  "model.model",
  "fallbackModels",
  "tools",
  "parameters",
  "memory",
  "budgets",
  "knowledgeBaseIds",
];

/** /agents/new prefetches knowledgeBaseChoicesInput on the server, so the form arrives whole, knowledge bases included. */
export function NewAgentView() {
  return <ProjectScope>{(project) => <AgentForm project={project} agent={null} />}</ProjectScope>;
}

export function EditAgentView({ agentId }: { agentId: string }) {
  return <ProjectScope>{(project) => <EditAgent project={project} agentId={agentId} />}</ProjectScope>;
}

function EditAgent({ project, agentId }: { project: AccountProject; agentId: string }) {
  const trpc = useTRPC();
  // Not refetched behind the editor's back: the form starts from one version and says so when it is stale.
  const agent = useQuery(trpc.agents.get.queryOptions({ projectId: project.id, agentId }, { refetchOnWindowFocus: false }));
  if (agent.isPending) return <LoadingState label="Loading the agent…" />;
  if (agent.isError) return <ErrorState error={agent.error} onRetry={() => agent.refetch()} />;
  return <AgentForm key={agent.data.id} project={project} agent={agent.data} />;
}

function AgentForm({ project, agent }: { project: AccountProject; agent: Agent | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [version, setVersion] = useState(agent?.version);
  const [isSaved, setIsSaved] = useState(false);
  // The first hundred bases (the most a project is expected to hold); more would need a search here.
  const knowledgeBases = useQuery(
    trpc.knowledge.list.queryOptions(knowledgeBaseChoicesInput(project.id), { select: (page) => page.items }),
  );
  const canEdit = hasRole(project.role, "member");
  const isArchived = Boolean(agent?.archivedAt);

  const afterSave = async (saved: Agent) => {
    queryClient.setQueryData(trpc.agents.get.queryKey({ projectId: project.id, agentId: saved.id }), saved);
    await queryClient.invalidateQueries({ queryKey: trpc.agents.list.queryKey() });
  };
  const create = useServerForm(createAgentAction, {
    validate: () => {
      const { errors: found, definition } = toDefinition(draft, knowledgeBaseIds);
      setClientErrors(found);
      // Take the keyboard to the first field to fix.
      if (!definition) requestAnimationFrame(() => document.querySelector<HTMLElement>("form [aria-invalid='true']")?.focus());
      return definition !== null;
    },
    onSuccess: async (created, redirectTo) => {
      await afterSave(created);
      router.push(redirectTo);
    },
  });
  const posted = agent ? undefined : submittedValues(create.state);
  const [draft, setDraft] = useState<AgentDraft>(() => (agent ? draftOf(agent) : posted ? draftOfValues(posted) : emptyDraft()));
  const [knowledgeBaseIds, setKnowledgeBaseIds] = useState<string[]>(
    () => agent?.knowledgeBaseIds ?? (posted ? submittedTexts(posted, "knowledgeBaseIds") : []),
  );
  const update = useMutation(
    trpc.agents.update.mutationOptions({
      onSuccess: async (updated) => {
        setVersion(updated.version);
        setIsSaved(true);
        await afterSave(updated);
      },
    }),
  );
  // A new submission clears what the last one said, as a mutation does.
  const refusal = !agent && !create.isPending && create.state.status === "invalid" ? create.state : null;
  const hasServerError = agent ? update.isError : refusal !== null;
  const isConflict = Boolean(agent) && appCodeOf(update.error) === "CONFLICT" && !apiFieldErrors(update.error).name;
  const serverErrors = agent ? apiFieldErrors(update.error) : (refusal?.fieldErrors ?? {});
  const isSaving = agent ? update.isPending : create.isPending || create.isSucceeded;
  const errors: FieldErrors = { ...serverErrors, ...clientErrors };
  const errorAt = (path: string) => errors[path];
  const groupError = (prefix: string) =>
    errors[prefix] ??
    Object.entries(errors)
      .filter(([path]) => path.startsWith(`${prefix}.`))
      .map(([, message]) => message)[0];

  function change<Key extends keyof AgentDraft>(key: Key, value: AgentDraft[Key]) {
    setDraft((current) => ({ ...current, [key]: value }));
    setIsSaved(false);
  }

  /** Edits go through the typed client; a new agent through its server action (create.formProps). */
  function handleUpdate(event: FormEvent) {
    event.preventDefault();
    if (!agent) return;
    setIsSaved(false);
    const { errors: found, definition } = toDefinition(draft, knowledgeBaseIds);
    setClientErrors(found);
    if (!definition) {
      // Take the keyboard to the first field to fix.
      requestAnimationFrame(() => document.querySelector<HTMLElement>("form [aria-invalid='true']")?.focus());
      return;
    }
    update.mutate({ projectId: project.id, agentId: agent.id, patch: { ...definition, expectedVersion: version } });
  }

  const formMessage = (() => {
    if (!hasServerError || isConflict) return null;
    const unshown = Object.keys(serverErrors).filter((path) => !shownPaths.some((shown) => path === shown || path.startsWith(`${shown}.`)));
    if (unshown.length > 0) return unshown.map((path) => serverErrors[path]).join(" ");
    if (Object.keys(serverErrors).length > 0) return refusal?.formError ?? null;
    return agent ? errorMessage(update.error) : (refusal?.formError ?? null);
  })();

  const isDisabled = !canEdit || isArchived;

  return (
    <form
      className="section panel"
      {...(agent ? { onSubmit: handleUpdate } : create.formProps)}
      noValidate
      aria-label={agent ? `Edit ${agent.name}` : "New agent"}
    >
      <input type="hidden" name="projectId" value={project.id} />
      {!canEdit ? <p className="callout callout-info">You can read this agent; members and above can change it.</p> : null}
      {isArchived ? (
        <p className="callout callout-warning">This agent is archived: restore it from the agents list before editing.</p>
      ) : null}
      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Who the agent is</legend>
        <div className={styles.formGrid}>
          <TextField
            label="Name"
            name="name"
            autoComplete="off"
            maxLength={100}
            value={draft.name}
            onChange={(event) => change("name", event.target.value)}
            error={errorAt("name")}
            required
          />
          <TextField
            label="Role"
            name="role"
            autoComplete="off"
            maxLength={200}
            placeholder="e.g. Research assistant"
            value={draft.role}
            onChange={(event) => change("role", event.target.value)}
            error={errorAt("role")}
            required
          />
          <TextAreaField
            label="Goal"
            name="goal"
            className={styles.wide}
            rows={2}
            value={draft.goal}
            onChange={(event) => change("goal", event.target.value)}
            error={errorAt("goal")}
          />
          <TextAreaField
            label="Instructions"
            name="instructions"
            className={styles.wide}
            rows={5}
            hint="How the agent should work: tone, steps, what to avoid."
            value={draft.instructions}
            onChange={(event) => change("instructions", event.target.value)}
            error={errorAt("instructions")}
          />
        </div>
      </fieldset>

      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Model</legend>
        <div className={styles.formGrid}>
          <ModelFields
            labelPrefix=""
            namePrefix="model"
            value={draft.model}
            onChange={(model) => change("model", model)}
            providerError={errorAt("model.provider")}
            modelError={errorAt("model.model") ?? errorAt("model")}
          />
          <TextField
            label="Temperature"
            name="parameters.temperature"
            inputMode="decimal"
            placeholder="Provider default"
            hint="0 to 2; lower is more predictable."
            value={draft.temperature}
            onChange={(event) => change("temperature", event.target.value)}
            error={errorAt("parameters.temperature")}
          />
          <TextField
            label="Max tokens"
            name="parameters.maxTokens"
            inputMode="numeric"
            placeholder="Provider default"
            hint="The longest answer, in tokens."
            value={draft.maxTokens}
            onChange={(event) => change("maxTokens", event.target.value)}
            error={errorAt("parameters.maxTokens")}
          />
          <TextField
            label="Max steps"
            name="parameters.maxSteps"
            inputMode="numeric"
            hint="Model calls per turn, tool rounds included (1 to 50)."
            value={draft.maxSteps}
            onChange={(event) => change("maxSteps", event.target.value)}
            error={errorAt("parameters.maxSteps") ?? errorAt("parameters")}
          />
        </div>
      </fieldset>

      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Fallback models</legend>
        <p className="muted">Tried in order when the model above fails (no key, outage, rate limit).</p>
        <div className={styles.rows}>
          {draft.fallbackModels.map((fallback, index) => (
            <div className={styles.row} key={fallback.key}>
              <ModelFields
                labelPrefix={`Fallback ${index + 1} `}
                namePrefix={`fallbackModels.${index}`}
                value={fallback}
                onChange={(model) =>
                  change(
                    "fallbackModels",
                    draft.fallbackModels.map((row) => (row.key === fallback.key ? model : row)),
                  )
                }
                providerError={errorAt(`fallbackModels.${index}.provider`)}
                modelError={errorAt(`fallbackModels.${index}.model`)}
              />
              <button
                type="button"
                className="button button-ghost"
                aria-label={`Remove fallback ${index + 1}`}
                onClick={() =>
                  change(
                    "fallbackModels",
                    draft.fallbackModels.filter((row) => row.key !== fallback.key),
                  )
                }
              >
                Remove
              </button>
            </div>
          ))}
        </div>
        <InlineError message={errors.fallbackModels} />
        <button
          type="button"
          className="button button-secondary"
          disabled={draft.fallbackModels.length >= 5}
          onClick={() => change("fallbackModels", [...draft.fallbackModels, newModelDraft()])}
        >
          Add a fallback model
        </button>
      </fieldset>

      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Tools and memory</legend>
        <div className={styles.formGrid}>
          <TextField
            label="Tools"
            name="tools"
            className={styles.wide}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. calculator, http_get"
            hint="Tool names, separated by commas (lower_snake_case). The memory tools come with the memory settings below."
            value={draft.tools}
            onChange={(event) => change("tools", event.target.value)}
            error={groupError("tools")}
          />
          <CheckboxField
            label="Long-term memory"
            name="memory.longTermEnabled"
            hint="Remembers facts across chats and recalls the relevant ones."
            checked={draft.longTermEnabled}
            onChange={(checked) => change("longTermEnabled", checked)}
          />
          <CheckboxField
            label="Working profile"
            name="memory.profileEnabled"
            hint="Keeps a profile of you (preferences, context) that it updates as you talk."
            checked={draft.profileEnabled}
            onChange={(checked) => change("profileEnabled", checked)}
          />
          <TextField
            label="Memories recalled per turn"
            name="memory.recallLimit"
            inputMode="numeric"
            hint="0 to 50, most similar first."
            value={draft.recallLimit}
            onChange={(event) => change("recallLimit", event.target.value)}
            error={errorAt("memory.recallLimit")}
          />
          <TextField
            label="Short-term window (tokens)"
            name="memory.shortTermTokens"
            inputMode="numeric"
            hint="Recent conversation kept word for word; older turns are summarised."
            value={draft.shortTermTokens}
            onChange={(event) => change("shortTermTokens", event.target.value)}
            error={errorAt("memory.shortTermTokens") ?? errorAt("memory")}
          />
        </div>
      </fieldset>

      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Knowledge bases</legend>
        <p className="field-hint">
          Before each answer the agent searches the bases ticked here and cites what it uses; it also gets the knowledge_search tool for
          them.
        </p>
        {knowledgeBases.isPending ? <LoadingState label="Loading knowledge bases…" /> : null}
        {knowledgeBases.isError ? <ErrorState error={knowledgeBases.error} onRetry={() => knowledgeBases.refetch()} /> : null}
        {knowledgeBases.data && knowledgeBases.data.length === 0 ? (
          <p className="field-hint">
            This project has no knowledge base yet: <Link href="/knowledge">create one under Knowledge</Link>.
          </p>
        ) : null}
        {knowledgeBases.data && knowledgeBases.data.length > 0 ? (
          <div className={styles.formGrid}>
            {knowledgeBases.data.map((base) => (
              <CheckboxField
                key={base.id}
                label={base.name}
                name="knowledgeBaseIds"
                value={base.id}
                hint={`${base.readyDocumentCount} of ${base.documentCount} documents ready, ${base.chunkCount} chunks`}
                checked={knowledgeBaseIds.includes(base.id)}
                onChange={(checked) => {
                  setKnowledgeBaseIds((current) => (checked ? [...current, base.id] : current.filter((id) => id !== base.id)));
                  setIsSaved(false);
                }}
              />
            ))}
          </div>
        ) : null}
        <InlineError message={errorAt("knowledgeBaseIds")} />
      </fieldset>

      <fieldset className={styles.fieldset} disabled={isDisabled}>
        <legend>Budgets</legend>
        <p className="muted">Leave empty for no limit. A run or a day that would go over stops with a clear error.</p>
        <div className={styles.formGrid}>
          <TextField
            label="Tokens per run"
            name="budgets.perRunTokens"
            inputMode="numeric"
            value={draft.perRunTokens}
            onChange={(event) => change("perRunTokens", event.target.value)}
            error={errorAt("budgets.perRunTokens")}
          />
          <TextField
            label="USD per run"
            name="budgets.perRunUsd"
            inputMode="decimal"
            value={draft.perRunUsd}
            onChange={(event) => change("perRunUsd", event.target.value)}
            error={errorAt("budgets.perRunUsd")}
          />
          <TextField
            label="Tokens per day"
            name="budgets.perDayTokens"
            inputMode="numeric"
            value={draft.perDayTokens}
            onChange={(event) => change("perDayTokens", event.target.value)}
            error={errorAt("budgets.perDayTokens")}
          />
          <TextField
            label="USD per day"
            name="budgets.perDayUsd"
            inputMode="decimal"
            value={draft.perDayUsd}
            onChange={(event) => change("perDayUsd", event.target.value)}
            error={errorAt("budgets.perDayUsd") ?? errorAt("budgets")}
          />
        </div>
      </fieldset>

      {isConflict ? (
        <div className="callout callout-warning" role="alert">
          <p className="callout-title">Someone else changed this agent while you were editing</p>
          <p>{errorMessage(update.error)}</p>
          <button
            type="button"
            className="button button-secondary"
            onClick={() =>
              agent && queryClient.resetQueries({ queryKey: trpc.agents.get.queryKey({ projectId: project.id, agentId: agent.id }) })
            }
          >
            Load the latest version (your changes here are discarded)
          </button>
        </div>
      ) : null}
      <InlineError message={formMessage ?? (Object.keys(clientErrors).length > 0 ? "Fix the fields marked above." : null)} />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={isDisabled || isSaving}>
          {isSaving ? "Saving…" : agent ? "Save changes" : "Create agent"}
        </button>
        <Link href={agent ? `/agents/${agent.id}` : "/agents"} className="button button-ghost">
          {agent ? "Back to the chat" : "Cancel"}
        </Link>
        <p className="save-status" role="status">
          {isSaved ? "Agent saved." : ""}
        </p>
      </div>
    </form>
  );
}

function ModelFields({
  labelPrefix,
  namePrefix,
  value,
  onChange,
  providerError,
  modelError,
}: {
  labelPrefix: string;
  /** The fields' names: `${namePrefix}.provider` and `${namePrefix}.model`. */
  namePrefix: string;
  value: ModelDraft;
  onChange: (value: ModelDraft) => void;
  providerError: string | undefined;
  modelError: string | undefined;
}) {
  const hint =
    value.provider === "local"
      ? localModelLabel
      : value.provider === "ollama"
        ? "Runs on your Ollama server (its URL is in Settings)."
        : `Needs a ${providerLabels[value.provider]} API key in Settings.`;
  return (
    <>
      <SelectField
        label={labelPrefix ? `${labelPrefix}provider` : "Provider"}
        name={`${namePrefix}.provider`}
        value={value.provider}
        options={providerOptions}
        error={providerError}
        onChange={(provider) => {
          // The offline provider has its own model names; another provider's name would not fit it.
          const model = provider === "local" ? defaultLocalModel : value.provider === "local" ? "" : value.model;
          onChange({ ...value, provider, model });
        }}
      />
      <TextField
        label={labelPrefix ? `${labelPrefix}model name` : "Model name"}
        name={`${namePrefix}.model`}
        autoComplete="off"
        spellCheck={false}
        placeholder={value.provider === "local" ? defaultLocalModel : "e.g. claude-sonnet-4-5"}
        hint={hint}
        value={value.model}
        onChange={(event) => onChange({ ...value, model: event.target.value })}
        error={modelError}
      />
    </>
  );
}

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id"> {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

function TextAreaField({ label, hint, error, className, ...textareaProps }: TextAreaFieldProps) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`field${className ? ` ${className}` : ""}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        className={styles.textarea}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...textareaProps}
      />
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
    </div>
  );
}

function CheckboxField({
  label,
  name,
  value,
  hint,
  checked,
  onChange,
}: {
  label: string;
  name: string;
  /** What a ticked box sends (the browser's default is "on"). */
  value?: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <span className={styles.checkbox}>
        <input
          id={id}
          type="checkbox"
          name={name}
          value={value}
          checked={checked}
          aria-describedby={`${id}-hint`}
          onChange={(event) => onChange(event.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </span>
      <p id={`${id}-hint`} className="field-hint">
        {hint}
      </p>
    </div>
  );
}
