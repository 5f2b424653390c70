"use client";
/**
 * The project's MCP servers on the Tools page: each with its status (connected, how many tools it offers,
 * which it listed but were refused and why, its last error), and for admins the form that adds a stdio
 * or HTTP server and the buttons that refresh, enable or disable, and delete one. Secrets (environment,
 * headers) are written here and never shown again: the API returns only their names.
 */
import type { RouterOutputs } from "@gathering/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ConfirmButton } from "~/components/confirm-button";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, ErrorState, InlineError, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { formatDateTime, hasRole } from "~/components/format";
import { errorMessage, fieldErrorsOf, formErrorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import styles from "./tools.module.css";

type McpServer = RouterOutputs["mcp"]["list"][number];
type Transport = McpServer["transport"];

const transportOptions = [
  { value: "stdio", label: "Command (stdio)" },
  { value: "http", label: "URL (streamable HTTP)" },
] as const satisfies readonly { value: Transport; label: string }[];

const statusLabels: Record<McpServer["status"], { label: string; badge: string }> = {
  connected: { label: "Connected", badge: "badge-ok" },
  error: { label: "Error", badge: "badge-bad" },
  disabled: { label: "Disabled", badge: "badge-quiet" },
  never_connected: { label: "Not connected yet", badge: "badge-warn" },
};

/** Refreshes what depends on the servers: their list and the tool catalog (their tools are in it). */
function useInvalidateServers(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.mcp.list.queryKey({ projectId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.tools.list.queryKey({ projectId }) }),
    ]);
}

export function McpServersSection({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const canRead = hasRole(project.role, "member");
  const servers = useQuery({ ...trpc.mcp.list.queryOptions({ projectId: project.id }), enabled: canRead });
  const canManage = hasRole(project.role, "admin");

  return (
    <section className="section" aria-labelledby="mcp-heading">
      <div className="section-header">
        <h2 id="mcp-heading">MCP servers</h2>
        <p className="muted">Their tools join the catalog as server__tool, for agents that list them.</p>
      </div>
      {!canRead ? (
        <p className="callout callout-info">Members and above can see the project's MCP servers.</p>
      ) : servers.isPending ? (
        <LoadingState label="Loading the MCP servers…" />
      ) : servers.isError ? (
        <ErrorState error={servers.error} onRetry={() => servers.refetch()} />
      ) : (
        <>
          {servers.data.length === 0 ? (
            <EmptyState title="No MCP servers yet">
              {canManage ? "Add one below: a command this server may run, or an HTTP endpoint." : "An admin of the project can add one."}
            </EmptyState>
          ) : (
            <ul className={styles.servers} aria-label="MCP servers">
              {servers.data.map((server) => (
                <McpServerCard key={server.id} project={project} server={server} canManage={canManage} />
              ))}
            </ul>
          )}
          {canManage ? <AddMcpServerForm project={project} /> : null}
        </>
      )}
    </section>
  );
}

function McpServerCard({ project, server, canManage }: { project: AccountProject; server: McpServer; canManage: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateServers(project.id);
  const [failure, setFailure] = useState<string | null>(null);
  const options = {
    onMutate: () => setFailure(null),
    onSuccess: () => invalidate(),
    onError: (error: Parameters<typeof errorMessage>[0]) => setFailure(errorMessage(error)),
  };
  const refresh = useMutation(trpc.mcp.refresh.mutationOptions(options));
  const update = useMutation(trpc.mcp.update.mutationOptions(options));
  const remove = useMutation(trpc.mcp.delete.mutationOptions(options));
  const status = statusLabels[server.status];
  const headingId = useId();

  return (
    <li className={`panel ${styles.server}`} aria-labelledby={headingId} data-testid="mcp-server">
      <div className={styles.toolHeader}>
        <h3 id={headingId} className={`mono ${styles.toolName}`}>
          {server.name}
        </h3>
        <span className={`badge ${status.badge}`}>{status.label}</span>
      </div>
      <p className={`mono ${styles.serverTarget}`}>
        {server.transport === "stdio" ? [server.command, ...server.args].join(" ") : server.url}
      </p>
      <p className="muted">
        {server.toolCount === 1 ? "1 tool" : `${server.toolCount} tools`}
        {server.secretNames.length > 0 ? ` · secrets: ${server.secretNames.join(", ")}` : ""}
        {server.lastConnectedAt ? ` · last connected ${formatDateTime(server.lastConnectedAt)}` : ""}
      </p>
      {server.lastError ? (
        <div className="callout callout-warning" role="status">
          <p className="callout-title">Last error</p>
          <p className={styles.serverError}>{server.lastError}</p>
        </div>
      ) : null}
      {server.refusedTools.length > 0 ? (
        <details className={styles.fieldDetails}>
          <summary>
            {server.refusedTools.length === 1 ? "1 tool refused" : `${server.refusedTools.length} tools refused`} (not offered to models)
          </summary>
          <ul>
            {server.refusedTools.map((tool) => (
              <li key={tool.name}>
                <span className="mono">{tool.name}</span>: {tool.problem}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {canManage ? (
        <div className="button-row">
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={!server.enabled || refresh.isPending}
            onClick={() => refresh.mutate({ projectId: project.id, serverId: server.id })}
            aria-label={`Refresh ${server.name}`}
          >
            {refresh.isPending ? "Connecting…" : "Refresh"}
          </button>
          <button
            type="button"
            className="button button-ghost button-small"
            disabled={update.isPending}
            onClick={() => update.mutate({ projectId: project.id, serverId: server.id, enabled: !server.enabled })}
            aria-label={`${server.enabled ? "Disable" : "Enable"} ${server.name}`}
          >
            {server.enabled ? "Disable" : "Enable"}
          </button>
          <ConfirmButton
            label="Delete"
            accessibleLabel={`Delete ${server.name}`}
            prompt={`Delete “${server.name}”? Agents lose its tools at once.`}
            confirmLabel="Delete server"
            isPending={remove.isPending}
            onConfirm={() => remove.mutate({ projectId: project.id, serverId: server.id })}
          />
        </div>
      ) : null}
      <InlineError message={failure} />
    </li>
  );
}

/** `NAME=value` (environment) or `Name: value` (headers), one per line; null when a line is neither. */
function parseEntries(text: string, separator: "=" | ":"): Record<string, string> | null {
  const entries: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const at = line.indexOf(separator);
    if (at <= 0) return null;
    entries[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return entries;
}

function AddMcpServerForm({ project }: { project: AccountProject }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateServers(project.id);
  const argsId = useId();
  const secretsId = useId();
  const [transport, setTransport] = useState<Transport>("stdio");
  const [name, setName] = useState("");
  const [command, setCommand] = useState("");
  const [argsText, setArgsText] = useState("");
  const [url, setUrl] = useState("");
  const [secretsText, setSecretsText] = useState("");
  const [secretsError, setSecretsError] = useState<string | null>(null);
  const [added, setAdded] = useState<McpServer | null>(null);
  const create = useMutation(
    trpc.mcp.create.mutationOptions({
      onSuccess: (server) => {
        setAdded(server);
        setName("");
        setCommand("");
        setArgsText("");
        setUrl("");
        setSecretsText("");
        return invalidate();
      },
    }),
  );
  const fieldErrors = fieldErrorsOf(create.error);
  const isStdio = transport === "stdio";

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    const secrets = parseEntries(secretsText, isStdio ? "=" : ":");
    if (!secrets) {
      setSecretsError(isStdio ? "Write one NAME=value per line" : "Write one Header-Name: value per line");
      return;
    }
    setSecretsError(null);
    if (isStdio) {
      const args = argsText.split("\n").filter((line) => line.trim() !== "");
      create.mutate({ projectId: project.id, transport: "stdio", name, command, args, env: secrets });
    } else {
      create.mutate({ projectId: project.id, transport: "http", name, url, headers: secrets });
    }
  }

  const secretsFieldError = secretsError ?? (isStdio ? fieldErrors.env : fieldErrors.headers);
  return (
    <section className={`panel ${styles.addServer}`} aria-labelledby="add-mcp-heading">
      <h3 id="add-mcp-heading">Add an MCP server</h3>
      <form onSubmit={handleSubmit} noValidate>
        <div className="form-grid">
          <SelectField label="Transport" value={transport} options={transportOptions} onChange={setTransport} />
          <TextField
            label="Name"
            hint="Lower-case, e.g. github: its tools are named github__<tool>"
            autoComplete="off"
            value={name}
            maxLength={32}
            onChange={(event) => setName(event.target.value)}
            error={fieldErrors.name}
            required
          />
          {isStdio ? (
            <TextField
              label="Command"
              hint="An executable the server's administrator allows in GATHERING_MCP_STDIO_COMMANDS"
              autoComplete="off"
              value={command}
              maxLength={500}
              onChange={(event) => setCommand(event.target.value)}
              error={fieldErrors.command}
              required
            />
          ) : (
            <TextField
              label="URL"
              placeholder="https://mcp.example.com/mcp"
              autoComplete="off"
              value={url}
              maxLength={2048}
              onChange={(event) => setUrl(event.target.value)}
              error={fieldErrors.url}
              required
            />
          )}
        </div>
        <div className="form-grid">
          {isStdio ? (
            <div className="field">
              <label htmlFor={argsId}>Arguments (one per line)</label>
              <textarea
                id={argsId}
                className={styles.editor}
                rows={3}
                spellCheck={false}
                value={argsText}
                aria-invalid={fieldErrors.args ? true : undefined}
                onChange={(event) => setArgsText(event.target.value)}
              />
              {fieldErrors.args ? <p className="field-error">{fieldErrors.args}</p> : null}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={secretsId}>{isStdio ? "Environment (NAME=value per line)" : "Headers (Name: value per line)"}</label>
            <textarea
              id={secretsId}
              className={styles.editor}
              rows={3}
              spellCheck={false}
              autoComplete="off"
              value={secretsText}
              aria-invalid={secretsFieldError ? true : undefined}
              aria-describedby={`${secretsId}-hint`}
              onChange={(event) => {
                setSecretsText(event.target.value);
                setSecretsError(null);
              }}
            />
            {secretsFieldError ? (
              <p className="field-error" role="alert">
                {secretsFieldError}
              </p>
            ) : (
              <p id={`${secretsId}-hint`} className="field-hint">
                Stored encrypted and never shown again; only the names are listed.
              </p>
            )}
          </div>
        </div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Connecting…" : "Add server"}
        </button>
      </form>
      <InlineError message={formErrorMessage(create.error, ["name", "command", "url", "args", "env", "headers"])} />
      {added ? (
        <p className={added.status === "connected" ? "callout callout-success" : "callout callout-warning"} role="status">
          {added.status === "connected"
            ? `Added ${added.name}: ${added.toolCount} tools.`
            : `Added ${added.name}, but it could not connect: ${added.lastError ?? "unknown error"}`}
        </p>
      ) : null}
    </section>
  );
}
