"use client";
/** Project settings: its name, model provider API keys (write-only, shown masked) and provider defaults. */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import { type AccountProject, ProjectScope } from "~/components/current-project";
import { ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

type MaskedSettings = RouterOutputs["settings"]["get"];
type ProviderName = keyof MaskedSettings["apiKeys"];

const providers: { name: ProviderName; label: string; keyHint: string }[] = [
  { name: "anthropic", label: "Anthropic", keyHint: "Starts with sk-ant-" },
  { name: "openai", label: "OpenAI", keyHint: "Starts with sk-" },
  { name: "deepseek", label: "DeepSeek", keyHint: "Starts with sk-" },
];

export function SettingsView() {
  return <ProjectScope>{(project) => <ProjectSettings project={project} />}</ProjectScope>;
}

function ProjectSettings({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const settings = useQuery(trpc.settings.get.queryOptions({ projectId: project.id }));
  const canEdit = hasRole(project.role, "admin");

  return (
    <>
      {canEdit || settings.isError ? null : (
        <p className="callout callout-info">You can read these settings; only admins and owners can change them.</p>
      )}
      <RenameProjectForm project={project} canEdit={canEdit} />
      {settings.isPending ? (
        <LoadingState label="Loading settings…" />
      ) : settings.isError ? (
        <ErrorState error={settings.error} onRetry={() => settings.refetch()} />
      ) : (
        <>
          <section className="section panel" aria-labelledby="api-keys-heading">
            <h2 id="api-keys-heading">Provider API keys</h2>
            <p className="muted">Keys are encrypted at rest and never shown again in full; only their last four characters are.</p>
            <div className="provider-keys">
              {providers.map((provider) => (
                <ApiKeyForm
                  key={provider.name}
                  project={project}
                  provider={provider}
                  apiKey={settings.data.apiKeys[provider.name]}
                  canEdit={canEdit}
                />
              ))}
            </div>
          </section>
          <ProviderDefaultsForm project={project} settings={settings.data.settings} canEdit={canEdit} />
        </>
      )}
    </>
  );
}

function useUpdateSettings(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.settings.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey({ projectId }) }),
    }),
  );
}

function RenameProjectForm({ project, canEdit }: { project: AccountProject; canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(project.name);
  const [isSaved, setIsSaved] = useState(false);
  const rename = useMutation(
    trpc.projects.rename.mutationOptions({
      onMutate: () => setIsSaved(false),
      onSuccess: async () => {
        // The name shows in the switcher (auth.me) and wherever a project is fetched on its own.
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.projects.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.projects.get.queryKey({ projectId: project.id }) }),
        ]);
        setIsSaved(true);
      },
    }),
  );

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    rename.mutate({ projectId: project.id, name });
  }

  return (
    <section className="section panel" aria-labelledby="project-heading">
      <h2 id="project-heading">Project</h2>
      <form className="form-inline" onSubmit={handleSubmit} noValidate>
        <TextField
          label="Project name"
          value={name}
          maxLength={100}
          disabled={!canEdit}
          onChange={(event) => {
            setName(event.target.value);
            setIsSaved(false);
          }}
          error={fieldErrorsOf(rename.error).name}
        />
        <button type="submit" className="button button-primary" disabled={!canEdit || rename.isPending || name === project.name}>
          {rename.isPending ? "Saving…" : "Rename"}
        </button>
      </form>
      <InlineError message={formErrorMessage(rename.error, ["name"])} />
      <p className="save-status" role="status">
        {isSaved ? "Project renamed." : ""}
      </p>
    </section>
  );
}

interface ApiKeyFormProps {
  project: AccountProject;
  provider: (typeof providers)[number];
  apiKey: MaskedSettings["apiKeys"][ProviderName];
  canEdit: boolean;
}

function ApiKeyForm({ project, provider, apiKey, canEdit }: ApiKeyFormProps) {
  const update = useUpdateSettings(project.id);
  const [value, setValue] = useState("");
  const [status, setStatus] = useState<string>("");
  const headingId = `${provider.name}-key-heading`;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setStatus("");
    update.mutate(
      { projectId: project.id, apiKeys: { [provider.name]: value } },
      {
        onSuccess: () => {
          // The key leaves the page as soon as it is stored; from now on only its masked form exists here.
          setValue("");
          setStatus(`${provider.label} key saved.`);
        },
      },
    );
  }

  function handleRemove() {
    setStatus("");
    update.mutate(
      { projectId: project.id, apiKeys: { [provider.name]: null } },
      { onSuccess: () => setStatus(`${provider.label} key removed.`) },
    );
  }

  const apiKeysError = fieldErrorsOf(update.error).apiKeys;
  return (
    <form className="provider-key" onSubmit={handleSubmit} aria-labelledby={headingId} noValidate>
      <div className="provider-key-header">
        <h3 id={headingId}>{provider.label}</h3>
        {apiKey.isSet ? (
          <span className="provider-key-status">
            <span className="badge badge-ok">Set</span>
            <span className="mono" data-testid={`${provider.name}-key-masked`}>
              {apiKey.masked}
            </span>
            <span className="muted">updated {formatDateTime(apiKey.updatedAt)}</span>
          </span>
        ) : (
          <span className="badge badge-quiet">Not set</span>
        )}
      </div>
      <div className="form-inline">
        <TextField
          label={`${provider.label} API key`}
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          placeholder={apiKey.isSet ? "Paste a key to replace the current one" : "Paste the key"}
          hint={provider.keyHint}
          value={value}
          disabled={!canEdit}
          onChange={(event) => setValue(event.target.value)}
          error={apiKeysError}
        />
        <button type="submit" className="button button-primary" disabled={!canEdit || update.isPending || value.trim() === ""}>
          {update.isPending && update.variables?.apiKeys?.[provider.name] !== null ? "Saving…" : "Save key"}
        </button>
        {apiKey.isSet && canEdit ? (
          <ConfirmButton
            label="Remove"
            accessibleLabel={`Remove the ${provider.label} key`}
            prompt={`Remove the ${provider.label} key? Agents using ${provider.label} stop working until a new one is saved.`}
            confirmLabel="Remove key"
            isPending={update.isPending && update.variables?.apiKeys?.[provider.name] === null}
            onConfirm={handleRemove}
          />
        ) : null}
      </div>
      <InlineError message={apiKeysError ? null : update.error ? errorMessage(update.error) : null} />
      <p className="save-status" role="status">
        {status}
      </p>
    </form>
  );
}

type ProviderSettings = MaskedSettings["settings"];

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === "http:" || protocol === "https:";
}

function ProviderDefaultsForm({ project, settings, canEdit }: { project: AccountProject; settings: ProviderSettings; canEdit: boolean }) {
  const update = useUpdateSettings(project.id);
  const [ollamaBaseUrl, setOllamaBaseUrl] = useState(settings.ollama.baseUrl ?? "");
  const [models, setModels] = useState<Record<ProviderName, string>>({
    anthropic: settings.anthropic.defaultModel ?? "",
    openai: settings.openai.defaultModel ?? "",
    deepseek: settings.deepseek.defaultModel ?? "",
  });
  const [urlError, setUrlError] = useState<string | undefined>();
  const [isSaved, setIsSaved] = useState(false);

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setIsSaved(false);
    const trimmedUrl = ollamaBaseUrl.trim();
    if (trimmedUrl && !isHttpUrl(trimmedUrl)) {
      setUrlError("Use an http:// or https:// URL");
      return;
    }
    setUrlError(undefined);
    const modelOf = (provider: ProviderName) => models[provider].trim() || null;
    update.mutate(
      {
        projectId: project.id,
        // Each provider's settings are replaced as a whole, so what this form does not edit (base URLs) is sent back unchanged.
        settings: {
          ollama: { ...settings.ollama, baseUrl: trimmedUrl || null },
          anthropic: { ...settings.anthropic, defaultModel: modelOf("anthropic") },
          openai: { ...settings.openai, defaultModel: modelOf("openai") },
          deepseek: { ...settings.deepseek, defaultModel: modelOf("deepseek") },
        },
      },
      { onSuccess: () => setIsSaved(true) },
    );
  }

  return (
    <section className="section panel" aria-labelledby="defaults-heading">
      <h2 id="defaults-heading">Models and endpoints</h2>
      <form onSubmit={handleSubmit} noValidate>
        <div className="form-grid">
          <TextField
            label="Ollama base URL"
            inputMode="url"
            placeholder="http://localhost:11434"
            autoComplete="off"
            value={ollamaBaseUrl}
            disabled={!canEdit}
            onChange={(event) => {
              setOllamaBaseUrl(event.target.value);
              setIsSaved(false);
            }}
            error={urlError}
            hint="For local models; leave empty when you do not run Ollama."
          />
          {providers.map((provider) => (
            <TextField
              key={provider.name}
              label={`${provider.label} default model`}
              autoComplete="off"
              spellCheck={false}
              value={models[provider.name]}
              disabled={!canEdit}
              onChange={(event) => {
                setModels((current) => ({ ...current, [provider.name]: event.target.value }));
                setIsSaved(false);
              }}
            />
          ))}
        </div>
        <InlineError message={formErrorMessage(update.error, [])} />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={!canEdit || update.isPending}>
            {update.isPending ? "Saving…" : "Save"}
          </button>
          <p className="save-status" role="status">
            {isSaved ? "Settings saved." : ""}
          </p>
        </div>
      </form>
    </section>
  );
}
