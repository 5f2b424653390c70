"use client";
/**
 * Runs one tool by hand (`tools.test`), through the same validation, timeout and output cap as a model's
 * call: pick the tool, edit its arguments as JSON (started from its required fields), and read what the
 * model would have read. Text that is not a JSON object is refused here, before any request.
 */
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import type { AccountProject } from "~/components/current-project";
import { EmptyState, InlineError } from "~/components/feedback";
import { SelectField } from "~/components/field";
import { errorMessage, fieldErrorsOf } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";
import { parseArguments, prettyOutput, skeletonOf } from "./schema";
import { type Agent, actsAsAgent, formatDuration, type Tool } from "./shared";
import styles from "./tools.module.css";

export function skeletonText(tool: Tool): string {
  return JSON.stringify(skeletonOf(tool.inputSchema), null, 2);
}

export function ToolPlayground({
  project,
  tools,
  agents,
  toolName,
  argumentsText,
  onToolChange,
  onArgumentsChange,
}: {
  project: AccountProject;
  tools: Tool[];
  agents: Agent[];
  toolName: string;
  argumentsText: string;
  onToolChange: (tool: Tool) => void;
  onArgumentsChange: (text: string) => void;
}) {
  const trpc = useTRPC();
  const editorId = useId();
  const [chosenAgentId, setChosenAgentId] = useState<string | null>(null);
  const [argumentsError, setArgumentsError] = useState<string | null>(null);
  const run = useMutation(trpc.tools.test.mutationOptions());
  const tool = tools.find((candidate) => candidate.name === toolName) ?? tools[0];
  const needsAgent = tool ? actsAsAgent(tool) : false;
  // An agent archived meanwhile falls back to the first one.
  const agentId = agents.find((agent) => agent.id === chosenAgentId)?.id ?? agents[0]?.id ?? "";

  if (!tool) return <EmptyState title="There are no tools to run" />;

  function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!tool) return;
    const parsed = parseArguments(argumentsText);
    if ("error" in parsed) {
      setArgumentsError(parsed.error);
      run.reset();
      return;
    }
    setArgumentsError(null);
    run.mutate({
      projectId: project.id,
      name: tool.name,
      arguments: parsed.arguments,
      ...(needsAgent && agentId ? { agentId } : {}),
    });
  }

  const editorError = argumentsError ?? fieldErrorsOf(run.error).arguments;
  const result = run.data && run.variables?.name === tool.name ? run.data : null;

  return (
    <section className="section panel" aria-labelledby="playground-heading" id="playground">
      <h2 id="playground-heading">Playground</h2>
      <p className="muted">Run a tool with your own arguments and see exactly what an agent would get back.</p>
      <form onSubmit={handleSubmit} noValidate aria-label="Run a tool">
        <div className={styles.playgroundGrid}>
          <div className={styles.playgroundSide}>
            <SelectField
              label="Tool"
              value={tool.name}
              options={tools.map((candidate) => ({ value: candidate.name, label: candidate.name }))}
              onChange={(name) => {
                const chosen = tools.find((candidate) => candidate.name === name);
                if (!chosen) return;
                setArgumentsError(null);
                run.reset();
                onToolChange(chosen);
              }}
            />
            {needsAgent ? (
              agents.length === 0 ? (
                <p className="callout callout-info">{tool.name} acts as an agent: create one first.</p>
              ) : (
                <SelectField
                  label="As agent"
                  value={agentId}
                  options={agents.map((agent) => ({ value: agent.id, label: agent.name }))}
                  onChange={setChosenAgentId}
                  error={fieldErrorsOf(run.error).agentId}
                />
              )
            ) : null}
            <p className="muted">{tool.description}</p>
          </div>
          <div className="field">
            <label htmlFor={editorId}>Arguments (JSON)</label>
            <textarea
              id={editorId}
              className={styles.editor}
              rows={8}
              spellCheck={false}
              value={argumentsText}
              aria-invalid={editorError ? true : undefined}
              aria-describedby={editorError ? `${editorId}-error` : `${editorId}-hint`}
              onChange={(event) => {
                onArgumentsChange(event.target.value);
                setArgumentsError(null);
              }}
            />
            {editorError ? (
              <p id={`${editorId}-error`} className="field-error" role="alert">
                {editorError}
              </p>
            ) : (
              <p id={`${editorId}-hint`} className="field-hint">
                Starts with the required fields; the catalog below lists the others.
              </p>
            )}
          </div>
        </div>
        <InlineError message={run.error && !fieldErrorsOf(run.error).arguments ? errorMessage(run.error) : null} />
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={run.isPending || (needsAgent && !agentId)}>
            {run.isPending ? "Running…" : "Run"}
          </button>
          <button
            type="button"
            className="button button-ghost"
            onClick={() => {
              setArgumentsError(null);
              run.reset();
              onArgumentsChange(skeletonText(tool));
            }}
          >
            Reset arguments
          </button>
        </div>
      </form>
      {result ? (
        <section
          className={`${styles.result}${result.isError ? ` ${styles.resultError}` : ""}`}
          aria-label="Result"
          data-testid="tool-result"
          data-error={result.isError ? "true" : undefined}
        >
          <p className={styles.resultMeta}>
            <span className={result.isError ? "badge badge-bad" : "badge badge-ok"}>{result.isError ? "Tool error" : "Result"}</span>
            <span className="muted">
              {run.variables?.name} · {formatDuration(result.durationMs)}
            </span>
          </p>
          <pre className={styles.code}>{prettyOutput(result.content)}</pre>
        </section>
      ) : null}
    </section>
  );
}
