"use client";
/**
 * The editor of a schedule's action, one panel per kind: an agent and its prompt (run_task), a pipeline
 * and its inputs as JSON checked against the inputs the pipeline declares (execute_pipeline), the
 * in-app, webhook and email channels of a notification (send_notification), and the method, URL,
 * headers and body template of an outbound call (call_api). The draft keeps every kind's fields, so
 * switching kinds and back loses nothing; `actionOfDraft` builds what the API takes.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";
import type { AccountProject } from "~/components/current-project";
import { ErrorState, LoadingState } from "~/components/feedback";
import { SelectField, TextField } from "~/components/field";
import { useTRPC } from "~/trpc/react";
import styles from "./schedules.module.css";
import type { ScheduleAction, ScheduleActionKind } from "./shared";
import { actionKindLabels } from "./shared";

const httpMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type HttpMethod = (typeof httpMethods)[number];
const levels = ["info", "success", "warning", "error"] as const;
type Level = (typeof levels)[number];

export interface ActionDraft {
  kind: ScheduleActionKind;
  /** Who does a run_task: "agent:<id>" or "circle:<id>". */
  target: string;
  prompt: string;
  pipelineId: string;
  inputsText: string;
  title: string;
  body: string;
  level: Level;
  hasInApp: boolean;
  /** Empty: every member of the project. */
  recipientIds: string[];
  hasWebhook: boolean;
  webhookUrl: string;
  hasEmail: boolean;
  emailTo: string;
  method: HttpMethod;
  url: string;
  headersText: string;
  bodyTemplate: string;
}

export function draftOfAction(action: ScheduleAction | null): ActionDraft {
  const draft: ActionDraft = {
    kind: action?.kind ?? "send_notification",
    target: "",
    prompt: "",
    pipelineId: "",
    inputsText: "{}",
    title: "",
    body: "",
    level: "info",
    hasInApp: true,
    recipientIds: [],
    hasWebhook: false,
    webhookUrl: "",
    hasEmail: false,
    emailTo: "",
    method: "POST",
    url: "",
    headersText: "",
    bodyTemplate: "",
  };
  if (!action) return draft;
  if (action.kind === "run_task") {
    draft.target = action.target.kind === "agent" ? `agent:${action.target.agentId}` : `circle:${action.target.circleId}`;
    draft.prompt = action.input;
  } else if (action.kind === "execute_pipeline") {
    draft.pipelineId = action.pipelineId;
    draft.inputsText = JSON.stringify(action.inputs, null, 2);
  } else if (action.kind === "send_notification") {
    draft.title = action.title;
    draft.body = action.body;
    draft.level = action.level;
    draft.hasInApp = action.inApp !== undefined;
    draft.recipientIds = action.inApp?.userIds ?? [];
    draft.hasWebhook = action.webhook !== undefined;
    draft.webhookUrl = action.webhook?.url ?? "";
    draft.hasEmail = action.email !== undefined;
    draft.emailTo = action.email?.to.join(", ") ?? "";
  } else {
    draft.method = action.method;
    draft.url = action.url;
    draft.headersText = Object.entries(action.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join("\n");
    draft.bodyTemplate = action.body ?? "";
  }
  return draft;
}

type PipelineInputs = { name: string; type: string; required: boolean; default?: unknown }[];

/** The typed JSON's problems against the pipeline's declared inputs; an empty list when it fits. */
export function checkPipelineInputs(
  text: string,
  declared: PipelineInputs | undefined,
): { value?: Record<string, unknown>; problems: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch {
    return { problems: ["The inputs are not valid JSON"] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { problems: ['The inputs are a JSON object, like {"topic": "news"}'] };
  }
  const value = parsed as Record<string, unknown>;
  if (!declared) return { value, problems: [] };
  const problems: string[] = [];
  const names = new Set(declared.map((input) => input.name));
  for (const input of declared) {
    const given = value[input.name];
    if (given === undefined) {
      if (input.required && input.default === undefined) problems.push(`“${input.name}” is required`);
      continue;
    }
    const actual = Array.isArray(given) ? "array" : given === null ? "null" : typeof given;
    if (actual !== input.type)
      problems.push(`“${input.name}” should be ${input.type === "array" || input.type === "object" ? "an" : "a"} ${input.type}`);
  }
  for (const name of Object.keys(value)) if (!names.has(name)) problems.push(`The pipeline declares no input “${name}”`);
  return { value, problems };
}

/** "Name: value" lines into a header record; a line without a colon is a problem. */
export function parseHeaders(text: string): { headers: Record<string, string>; problem: string | null } {
  const headers: Record<string, string> = {};
  for (const [index, line] of text.split("\n").entries()) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) return { headers, problem: `Line ${index + 1}: write a header as “Name: value”` };
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return { headers, problem: null };
}

/** The action as the API takes it, or the problem that keeps the draft from being one. */
export function actionOfDraft(draft: ActionDraft, declaredInputs: PipelineInputs | undefined): { action?: unknown; problem?: string } {
  if (draft.kind === "run_task") {
    const [kind, id] = draft.target.split(":");
    if (!id) return { problem: "Choose an agent or a circle" };
    const target = kind === "circle" ? { kind: "circle", circleId: id } : { kind: "agent", agentId: id };
    return { action: { kind: "run_task", target, input: draft.prompt } };
  }
  if (draft.kind === "execute_pipeline") {
    if (!draft.pipelineId) return { problem: "Choose a pipeline" };
    const checked = checkPipelineInputs(draft.inputsText, declaredInputs);
    if (checked.problems.length > 0 || !checked.value) return { problem: checked.problems.join("; ") };
    return { action: { kind: "execute_pipeline", pipelineId: draft.pipelineId, inputs: checked.value } };
  }
  if (draft.kind === "send_notification") {
    const emails = draft.emailTo
      .split(/[,\s]+/)
      .map((address) => address.trim())
      .filter(Boolean);
    return {
      action: {
        kind: "send_notification",
        title: draft.title,
        body: draft.body,
        level: draft.level,
        ...(draft.hasInApp ? { inApp: draft.recipientIds.length > 0 ? { userIds: draft.recipientIds } : {} } : {}),
        ...(draft.hasWebhook ? { webhook: { url: draft.webhookUrl.trim() } } : {}),
        ...(draft.hasEmail ? { email: { to: emails } } : {}),
      },
    };
  }
  const { headers, problem } = parseHeaders(draft.headersText);
  if (problem) return { problem };
  return {
    action: {
      kind: "call_api",
      method: draft.method,
      url: draft.url.trim(),
      headers,
      ...(draft.bodyTemplate !== "" ? { body: draft.bodyTemplate } : {}),
    },
  };
}

interface ActionEditorProps {
  project: AccountProject;
  draft: ActionDraft;
  onChange: (draft: ActionDraft) => void;
  /** The API's or the draft's problem with the action, shown under it. */
  error: string | undefined;
  declaredInputs: PipelineInputs | undefined;
}

export function ActionEditor({ project, draft, onChange, error, declaredInputs }: ActionEditorProps) {
  const update = (patch: Partial<ActionDraft>) => onChange({ ...draft, ...patch });
  const errorId = useId();
  return (
    <fieldset className={styles.fieldset} aria-describedby={error ? errorId : undefined}>
      <legend>When it fires</legend>
      <SelectField
        label="Action"
        value={draft.kind}
        options={(Object.keys(actionKindLabels) as ScheduleActionKind[]).map((kind) => ({ value: kind, label: actionKindLabels[kind] }))}
        onChange={(kind) => update({ kind })}
      />
      {draft.kind === "run_task" ? <RunTaskFields project={project} draft={draft} update={update} /> : null}
      {draft.kind === "execute_pipeline" ? (
        <PipelineFields project={project} draft={draft} update={update} declaredInputs={declaredInputs} />
      ) : null}
      {draft.kind === "send_notification" ? <NotificationFields project={project} draft={draft} update={update} /> : null}
      {draft.kind === "call_api" ? <CallApiFields draft={draft} update={update} /> : null}
      {error ? (
        <p id={errorId} className="field-error" data-testid="action-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

type FieldsProps = { draft: ActionDraft; update: (patch: Partial<ActionDraft>) => void };

function RunTaskFields({ project, draft, update }: FieldsProps & { project: AccountProject }) {
  const trpc = useTRPC();
  const promptId = useId();
  const agents = useQuery(trpc.agents.list.queryOptions({ projectId: project.id, limit: 100 }));
  const circles = useQuery(trpc.circles.list.queryOptions({ projectId: project.id, limit: 100 }));
  if (agents.isPending || circles.isPending) return <LoadingState label="Loading agents and circles…" />;
  if (agents.isError) return <ErrorState error={agents.error} title="Could not load the agents" onRetry={() => agents.refetch()} />;
  if (circles.isError) return <ErrorState error={circles.error} title="Could not load the circles" onRetry={() => circles.refetch()} />;
  const list = agents.data.items;
  if (list.length === 0) {
    return (
      <p className="callout callout-info">
        The project has no agents yet. <Link href="/agents/new">Create an agent</Link> first.
      </p>
    );
  }
  return (
    <>
      <SelectField
        label="Agent or circle"
        value={draft.target}
        options={[
          { value: "", label: "Choose an agent or a circle" },
          ...list.map((agent) => ({ value: `agent:${agent.id}`, label: `Agent: ${agent.name}` })),
          ...circles.data.items.map((circle) => ({ value: `circle:${circle.id}`, label: `Circle: ${circle.name}` })),
        ]}
        onChange={(target) => update({ target })}
      />
      <div className="field">
        <label htmlFor={promptId}>The task</label>
        <textarea
          id={promptId}
          className={styles.textarea}
          rows={4}
          maxLength={100_000}
          placeholder="e.g. Summarise yesterday’s support tickets"
          value={draft.prompt}
          onChange={(event) => update({ prompt: event.target.value })}
        />
      </div>
    </>
  );
}

function PipelineFields({
  project,
  draft,
  update,
  declaredInputs,
}: FieldsProps & { project: AccountProject; declaredInputs: PipelineInputs | undefined }) {
  const trpc = useTRPC();
  const inputsId = useId();
  const pipelines = useQuery(trpc.pipelines.list.queryOptions({ projectId: project.id, limit: 100 }));
  const checked = checkPipelineInputs(draft.inputsText, declaredInputs);
  if (pipelines.isPending) return <LoadingState label="Loading pipelines…" />;
  if (pipelines.isError)
    return <ErrorState error={pipelines.error} title="Could not load the pipelines" onRetry={() => pipelines.refetch()} />;
  if (pipelines.data.items.length === 0) {
    return (
      <p className="callout callout-info">
        The project has no pipelines yet. <Link href="/pipelines/new">Create a pipeline</Link> first.
      </p>
    );
  }
  return (
    <>
      <SelectField
        label="Pipeline"
        value={draft.pipelineId}
        options={[
          { value: "", label: "Choose a pipeline" },
          ...pipelines.data.items.map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
        ]}
        onChange={(pipelineId) => update({ pipelineId })}
      />
      <div className="field">
        <label htmlFor={inputsId}>Run inputs (JSON)</label>
        <textarea
          id={inputsId}
          className={`${styles.textarea} mono`}
          rows={5}
          value={draft.inputsText}
          aria-invalid={checked.problems.length > 0 ? true : undefined}
          aria-describedby={`${inputsId}-hint${checked.problems.length > 0 ? ` ${inputsId}-error` : ""}`}
          onChange={(event) => update({ inputsText: event.target.value })}
        />
        <p id={`${inputsId}-hint`} className="field-hint">
          {declaredInputs === undefined
            ? "Choose a pipeline to see the inputs it declares."
            : declaredInputs.length === 0
              ? "This pipeline declares no inputs."
              : `Declared: ${declaredInputs.map((input) => `${input.name} (${input.type}${input.required ? ", required" : ""})`).join(", ")}`}
        </p>
        {checked.problems.length > 0 ? (
          <p id={`${inputsId}-error`} className="field-error">
            {checked.problems.join("; ")}
          </p>
        ) : null}
      </div>
    </>
  );
}

function NotificationFields({ project, draft, update }: FieldsProps & { project: AccountProject }) {
  const trpc = useTRPC();
  const bodyId = useId();
  const members = useQuery(trpc.members.list.queryOptions({ projectId: project.id }));
  return (
    <>
      <div className={styles.twoColumns}>
        <TextField label="Title" value={draft.title} maxLength={200} onChange={(event) => update({ title: event.target.value })} />
        <SelectField
          label="Level"
          value={draft.level}
          options={levels.map((level) => ({ value: level, label: level[0]?.toUpperCase() + level.slice(1) }))}
          onChange={(level) => update({ level })}
        />
      </div>
      <div className="field">
        <label htmlFor={bodyId}>Text</label>
        <textarea
          id={bodyId}
          className={styles.textarea}
          rows={3}
          maxLength={10_000}
          value={draft.body}
          onChange={(event) => update({ body: event.target.value })}
        />
      </div>
      <fieldset className={styles.channels}>
        <legend>Channels</legend>
        <label className={styles.checkbox}>
          <input type="checkbox" checked={draft.hasInApp} onChange={(event) => update({ hasInApp: event.target.checked })} />
          In-app (the bell)
        </label>
        {draft.hasInApp ? (
          <div className={styles.recipients}>
            {members.isPending ? (
              <LoadingState label="Loading members…" />
            ) : members.isError ? (
              <ErrorState error={members.error} title="Could not load the members" onRetry={() => members.refetch()} />
            ) : (
              <fieldset className={styles.plainFieldset}>
                <legend className="field-hint">Recipients: none ticked means every member</legend>
                {members.data.map((member) => (
                  <label key={member.userId} className={styles.checkbox}>
                    <input
                      type="checkbox"
                      checked={draft.recipientIds.includes(member.userId)}
                      onChange={(event) =>
                        update({
                          recipientIds: event.target.checked
                            ? [...draft.recipientIds, member.userId]
                            : draft.recipientIds.filter((userId) => userId !== member.userId),
                        })
                      }
                    />
                    {member.name} <span className="muted">{member.email}</span>
                  </label>
                ))}
              </fieldset>
            )}
          </div>
        ) : null}
        <label className={styles.checkbox}>
          <input type="checkbox" checked={draft.hasWebhook} onChange={(event) => update({ hasWebhook: event.target.checked })} />
          Webhook
        </label>
        {draft.hasWebhook ? (
          <TextField
            label="Webhook URL"
            type="url"
            value={draft.webhookUrl}
            placeholder="https://example.com/hooks/gathering"
            hint="POSTed as JSON, signed with the schedule’s secret (X-Gathering-Signature), retried on 5xx and network errors."
            onChange={(event) => update({ webhookUrl: event.target.value })}
          />
        ) : null}
        <label className={styles.checkbox}>
          <input type="checkbox" checked={draft.hasEmail} onChange={(event) => update({ hasEmail: event.target.checked })} />
          Email
        </label>
        {draft.hasEmail ? (
          <TextField
            label="Email to"
            value={draft.emailTo}
            placeholder="ops@example.com, lead@example.com"
            hint="Sent over SMTP when the server is configured for it."
            onChange={(event) => update({ emailTo: event.target.value })}
          />
        ) : null}
      </fieldset>
    </>
  );
}

function CallApiFields({ draft, update }: FieldsProps) {
  const headersId = useId();
  const bodyId = useId();
  const headersProblem = parseHeaders(draft.headersText).problem;
  return (
    <>
      <div className={styles.methodRow}>
        <SelectField
          label="Method"
          value={draft.method}
          options={httpMethods.map((method) => ({ value: method, label: method }))}
          onChange={(method) => update({ method })}
        />
        <TextField
          label="URL"
          type="url"
          value={draft.url}
          placeholder="https://api.example.com/reports"
          onChange={(event) => update({ url: event.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={headersId}>Headers</label>
        <textarea
          id={headersId}
          className={`${styles.textarea} mono`}
          rows={3}
          placeholder="Authorization: Bearer …"
          value={draft.headersText}
          aria-invalid={headersProblem ? true : undefined}
          aria-describedby={`${headersId}-hint${headersProblem ? ` ${headersId}-error` : ""}`}
          onChange={(event) => update({ headersText: event.target.value })}
        />
        <p id={`${headersId}-hint`} className="field-hint">
          One per line, “Name: value”. Idempotency-Key is set to the fire’s id.
        </p>
        {headersProblem ? (
          <p id={`${headersId}-error`} className="field-error">
            {headersProblem}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={bodyId}>Body template</label>
        <textarea
          id={bodyId}
          className={`${styles.textarea} mono`}
          rows={4}
          placeholder={'{"fire": "{{fire.id}}", "at": "{{fire.at}}"}'}
          value={draft.bodyTemplate}
          aria-describedby={`${bodyId}-hint`}
          onChange={(event) => update({ bodyTemplate: event.target.value })}
        />
        <p id={`${bodyId}-hint`} className="field-hint">
          {"{{fire.id}}, {{fire.at}}, {{schedule.id}} and {{schedule.name}} are replaced when it fires."}
        </p>
      </div>
    </>
  );
}
