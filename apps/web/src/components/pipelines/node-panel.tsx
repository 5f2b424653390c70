"use client";
/**
 * The side panel for the selected node: its id and label, the fields of its type's config (agent, tool
 * and pipeline pickers; expressions; JSON for arguments, headers, bodies and inputs), retry, timeout and
 * on-error policy, its problems (each also shown at its field), and its outgoing edges, so a node can be
 * connected from the keyboard as well as by dragging.
 */
import { type DefinitionProblem, type PipelineNodeType, ZPipelineNode } from "@gathering/core/browser";
import { useId, useState } from "react";
import { TextField } from "~/components/field";
import { EnumSelect } from "./enum-select";
import { JsonField, NumberField, OptionField, TextAreaField } from "./form-fields";
import type { DraftNode, EdgeWhen, PipelineFlowEdge } from "./graph";
import styles from "./pipelines.module.css";
import { nodeTypeDescriptions, nodeTypeLabels } from "./shared";

export interface PickerOptions {
  agents: ReadonlyArray<{ id: string; name: string }>;
  tools: ReadonlyArray<{ name: string; description: string }>;
  pipelines: ReadonlyArray<{ id: string; name: string }>;
}

type NodeSchema = { shape: Record<string, unknown> & { config: { shape?: Record<string, unknown> } } };

function schemaOf(type: PipelineNodeType): NodeSchema | undefined {
  return (ZPipelineNode.options as unknown as NodeSchema[]).find(
    (option) => (option.shape.type as { value?: string } | undefined)?.value === type,
  );
}

const REFERENCE_HINT = "Use {{inputs.name}} for a run input or {{nodes.id.output.field}} for an upstream node’s output.";
const EXPRESSION_HINT = "JMESPath over { inputs, nodes }, e.g. inputs.amount > `100` or nodes.fetch.output.body.items";

/** Problems of this node by field: "config.url", "retry.maxAttempts", "id", or "" for the node as a whole. */
function fieldProblems(problems: readonly DefinitionProblem[]): Map<string, string> {
  const byField = new Map<string, string>();
  for (const problem of problems) {
    const field = problem.path.replace(/^nodes\.\d+\.?/, "");
    if (!byField.has(field)) byField.set(field, problem.message);
  }
  return byField;
}

interface NodePanelProps {
  node: DraftNode;
  problems: readonly DefinitionProblem[];
  pickers: PickerOptions;
  /** The pipeline being edited, which cannot run itself. */
  pipelineId: string | null;
  otherNodeIds: readonly string[];
  outgoing: readonly PipelineFlowEdge[];
  isReadOnly: boolean;
  onChange: (node: DraftNode) => void;
  /** Renames the node; a message when the id is taken. */
  onRename: (id: string) => string | null;
  onDelete: () => void;
  onConnect: (targetId: string, when: EdgeWhen | undefined) => void;
  onRemoveEdge: (edgeId: string) => void;
}

export function NodePanel(props: NodePanelProps) {
  const { node, problems, isReadOnly, onChange, onDelete } = props;
  const errors = fieldProblems(problems);
  const setConfig = (key: string, value: unknown) => {
    const config = { ...node.config };
    if (value === undefined) delete config[key];
    else config[key] = value;
    onChange({ ...node, config });
  };
  const schema = schemaOf(node.type);

  return (
    <section className={styles.panelSection} aria-label={`Node ${node.id}`}>
      <div className={styles.panelTitle}>
        <div>
          <span className={styles.flowNodeType}>{nodeTypeLabels[node.type]}</span>
          <h3>{node.label || node.id}</h3>
          <p className="muted">{nodeTypeDescriptions[node.type]}</p>
        </div>
        {isReadOnly ? null : (
          <button type="button" className="button button-danger-quiet button-small" onClick={onDelete}>
            Delete node
          </button>
        )}
      </div>
      {problems.length > 0 ? (
        <ul className={styles.nodeProblems} aria-label={`Problems of ${node.id}`}>
          {problems.map((problem, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt as a whole on each check.
            <li key={`${problem.path}-${index}`}>{problem.message}</li>
          ))}
        </ul>
      ) : null}
      <fieldset className={styles.panelFieldset} disabled={isReadOnly}>
        <legend className="visually-hidden">Settings of {node.id}</legend>
        <NodeIdField key={node.id} id={node.id} error={errors.get("id")} onRename={props.onRename} />
        <TextField
          label="Label"
          value={node.label ?? ""}
          maxLength={120}
          hint="Shown on the graph instead of the id."
          error={errors.get("label")}
          onChange={(event) => onChange({ ...node, label: event.target.value || undefined })}
        />
        <ConfigFields {...props} errors={errors} setConfig={setConfig} schema={schema} />
        <PolicyFields node={node} errors={errors} schema={schema} onChange={onChange} />
      </fieldset>
      <EdgesFields {...props} />
    </section>
  );
}

function NodeIdField({ id, error, onRename }: { id: string; error: string | undefined; onRename: (id: string) => string | null }) {
  const [text, setText] = useState(id);
  const [renameError, setRenameError] = useState<string | null>(null);
  const idSchema = schemaOf("transform")?.shape.id as {
    safeParse: (value: unknown) => { success: boolean; error?: { issues: { message: string }[] } };
  };
  function commit() {
    if (text === id) return;
    const parsed = idSchema.safeParse(text);
    if (!parsed.success) {
      setRenameError(parsed.error?.issues[0]?.message ?? "Not a valid id");
      return;
    }
    const refused = onRename(text);
    setRenameError(refused);
  }
  return (
    <TextField
      label="Id"
      value={text}
      maxLength={64}
      className={styles.monoField}
      hint="Other nodes refer to it as {{nodes.id.output}}. Press Enter or leave the field to rename."
      error={renameError ?? error}
      onChange={(event) => setText(event.target.value)}
      onBlur={commit}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          commit();
        }
      }}
    />
  );
}

interface ConfigFieldsProps extends NodePanelProps {
  errors: Map<string, string>;
  setConfig: (key: string, value: unknown) => void;
  schema: NodeSchema | undefined;
}

/** A chosen value the list no longer offers (archived since) stays visible as what it is, not as another option. */
function withCurrent(options: Array<{ value: string; label: string }>, current: string, label: string) {
  return current && !options.some((option) => option.value === current) ? [...options, { value: current, label }] : options;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
}

function ConfigFields({ node, errors, setConfig, schema, pickers, pipelineId, onChange }: ConfigFieldsProps) {
  const config = node.config;
  const configError = (key: string) => errors.get(`config.${key}`) ?? (key === "" ? errors.get("config") : undefined);
  const configShape = schema?.shape.config.shape ?? {};
  const pipelineOptions = withCurrent(
    [
      { value: "", label: "Choose a pipeline" },
      ...pickers.pipelines
        .filter((pipeline) => pipeline.id !== pipelineId)
        .map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
    ],
    text(config.pipelineId),
    "An archived, unknown or this pipeline",
  );
  switch (node.type) {
    case "agent":
      return (
        <>
          <OptionField
            label="Agent"
            value={text(config.agentId)}
            options={withCurrent(
              [{ value: "", label: "Choose an agent" }, ...pickers.agents.map((agent) => ({ value: agent.id, label: agent.name }))],
              text(config.agentId),
              "An archived or unknown agent",
            )}
            error={configError("agentId")}
            hint={pickers.agents.length === 0 ? "The project has no agents yet; create one on the Agents page." : undefined}
            onChange={(value) => setConfig("agentId", value)}
          />
          <TextAreaField
            label="Prompt"
            value={text(config.prompt)}
            rows={5}
            maxLength={50_000}
            hint={REFERENCE_HINT}
            error={configError("prompt")}
            onChange={(value) => setConfig("prompt", value)}
          />
        </>
      );
    case "tool": {
      const chosen = pickers.tools.find((tool) => tool.name === config.tool);
      return (
        <>
          <OptionField
            label="Tool"
            value={text(config.tool)}
            options={withCurrent(
              [{ value: "", label: "Choose a tool" }, ...pickers.tools.map((tool) => ({ value: tool.name, label: tool.name }))],
              text(config.tool),
              `${text(config.tool)} (not in this project)`,
            )}
            hint={chosen?.description}
            error={configError("tool")}
            onChange={(value) => setConfig("tool", value)}
          />
          <JsonField
            label="Arguments (JSON object)"
            value={config.arguments ?? {}}
            emptyValue={{}}
            expect="object"
            hint={`Values may hold references. ${REFERENCE_HINT}`}
            error={configError("arguments")}
            onChange={(value) => setConfig("arguments", value)}
          />
        </>
      );
    }
    case "condition":
      return (
        <TextField
          label="Expression"
          className={styles.monoField}
          value={text(config.expression)}
          maxLength={2_000}
          hint={`True follows the “true” edges, false the “false” ones. ${EXPRESSION_HINT}`}
          error={configError("expression")}
          onChange={(event) => setConfig("expression", event.target.value)}
        />
      );
    case "transform":
      return <TransformFields node={node} errors={errors} onChange={onChange} />;
    case "http":
      return (
        <>
          <EnumSelect
            label="Method"
            schema={configShape.method}
            value={text(config.method) || "GET"}
            error={configError("method")}
            onChange={(value) => setConfig("method", value)}
          />
          <TextField
            label="URL"
            value={text(config.url)}
            maxLength={4_000}
            hint={REFERENCE_HINT}
            error={configError("url")}
            onChange={(event) => setConfig("url", event.target.value)}
          />
          <JsonField
            label="Headers (JSON object)"
            value={config.headers ?? {}}
            emptyValue={{}}
            expect="object"
            error={configError("headers")}
            onChange={(value) => setConfig("headers", value)}
          />
          <JsonField
            label="Body (JSON, optional)"
            value={config.body}
            emptyValue={undefined}
            error={configError("body")}
            onChange={(value) => setConfig("body", value)}
          />
        </>
      );
    case "delay":
      return (
        <TextField
          label="Wait (milliseconds or a reference)"
          value={text(config.ms)}
          maxLength={300}
          hint="A number, e.g. 1500, or {{inputs.waitMs}}."
          error={configError("ms")}
          onChange={(event) => {
            const value = event.target.value;
            setConfig("ms", /^\d+$/.test(value.trim()) ? Number(value.trim()) : value);
          }}
        />
      );
    case "approval":
      return (
        <>
          <TextAreaField
            label="Message to the approver"
            value={text(config.message)}
            maxLength={10_000}
            hint={REFERENCE_HINT}
            error={configError("message")}
            onChange={(value) => setConfig("message", value)}
          />
          <NumberField
            label="Answer within (ms, optional)"
            value={typeof config.timeoutMs === "number" ? config.timeoutMs : undefined}
            min={1_000}
            error={configError("timeoutMs")}
            onChange={(value) => setConfig("timeoutMs", value)}
          />
          <EnumSelect
            label="When nobody answers in time"
            schema={configShape.onTimeout}
            value={text(config.onTimeout) || "reject"}
            error={configError("onTimeout")}
            onChange={(value) => setConfig("onTimeout", value)}
          />
        </>
      );
    case "subpipeline":
      return (
        <>
          <OptionField
            label="Pipeline"
            value={text(config.pipelineId)}
            options={pipelineOptions}
            error={configError("pipelineId")}
            onChange={(value) => setConfig("pipelineId", value)}
          />
          <JsonField
            label="Its inputs (JSON object)"
            value={config.inputs ?? {}}
            emptyValue={{}}
            expect="object"
            hint={REFERENCE_HINT}
            error={configError("inputs")}
            onChange={(value) => setConfig("inputs", value)}
          />
        </>
      );
    case "map":
      return (
        <>
          <TextField
            label="Items (a reference to a list)"
            className={styles.monoField}
            value={text(config.items)}
            maxLength={300}
            placeholder="{{nodes.fetch.output.body.items}}"
            error={configError("items")}
            onChange={(event) => setConfig("items", event.target.value)}
          />
          <OptionField
            label="Pipeline run per item"
            value={text(config.pipelineId)}
            options={pipelineOptions}
            error={configError("pipelineId")}
            onChange={(value) => setConfig("pipelineId", value)}
          />
          <TextField
            label="Input that receives the item"
            value={text(config.itemInput) || "item"}
            maxLength={64}
            error={configError("itemInput")}
            onChange={(event) => setConfig("itemInput", event.target.value)}
          />
          <JsonField
            label="Other inputs (JSON object)"
            value={config.inputs ?? {}}
            emptyValue={{}}
            expect="object"
            error={configError("inputs")}
            onChange={(value) => setConfig("inputs", value)}
          />
          <NumberField
            label="Concurrency"
            value={typeof config.concurrency === "number" ? config.concurrency : undefined}
            min={1}
            max={50}
            placeholder="4"
            error={configError("concurrency")}
            onChange={(value) => setConfig("concurrency", value)}
          />
          <NumberField
            label="At most this many items"
            value={typeof config.maxItems === "number" ? config.maxItems : undefined}
            min={1}
            max={1_000}
            placeholder="100"
            error={configError("maxItems")}
            onChange={(value) => setConfig("maxItems", value)}
          />
        </>
      );
    default:
      return null;
  }
}

function TransformFields({
  node,
  errors,
  onChange,
}: {
  node: DraftNode;
  errors: Map<string, string>;
  onChange: (node: DraftNode) => void;
}) {
  const mapping =
    typeof node.config.mapping === "object" && node.config.mapping !== null ? (node.config.mapping as Record<string, string>) : null;
  const isMapping = mapping !== null;
  const entries = Object.entries(mapping ?? {});
  const wholeError = errors.get("config");
  const setMapping = (next: Array<[string, string]>) => onChange({ ...node, config: { mapping: Object.fromEntries(next) } });
  return (
    <>
      <OptionField
        label="Shape of the output"
        value={isMapping ? "mapping" : "expression"}
        options={[
          { value: "expression", label: "One expression" },
          { value: "mapping", label: "A field per expression" },
        ]}
        error={wholeError}
        onChange={(value) =>
          onChange({
            ...node,
            config: value === "mapping" ? { mapping: { value: text(node.config.expression) || "inputs" } } : { expression: "" },
          })
        }
      />
      {isMapping ? (
        <fieldset className={styles.subFieldset}>
          <legend>Fields</legend>
          {entries.map(([key, expression], index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: renaming a field must not move focus to another row.
            <div className={styles.mappingRow} key={index}>
              <TextField
                label={`Field ${index + 1} name`}
                value={key}
                maxLength={200}
                onChange={(event) => setMapping(entries.map((entry, at) => (at === index ? [event.target.value, entry[1]] : entry)))}
              />
              <TextField
                label={`Field ${index + 1} expression`}
                className={styles.monoField}
                value={expression}
                maxLength={2_000}
                error={errors.get(`config.mapping.${key}`)}
                onChange={(event) => setMapping(entries.map((entry, at) => (at === index ? [entry[0], event.target.value] : entry)))}
              />
              <button
                type="button"
                className="button button-ghost button-small"
                aria-label={`Remove field ${key || index + 1}`}
                onClick={() => setMapping(entries.filter((_, at) => at !== index))}
              >
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setMapping([...entries, [`field${entries.length + 1}`, ""]])}
          >
            Add field
          </button>
          <p className="field-hint">{EXPRESSION_HINT}</p>
        </fieldset>
      ) : (
        <TextField
          label="Expression"
          className={styles.monoField}
          value={text(node.config.expression)}
          maxLength={2_000}
          hint={EXPRESSION_HINT}
          error={errors.get("config.expression")}
          onChange={(event) => onChange({ ...node, config: { expression: event.target.value } })}
        />
      )}
    </>
  );
}

function PolicyFields({
  node,
  errors,
  schema,
  onChange,
}: {
  node: DraftNode;
  errors: Map<string, string>;
  schema: NodeSchema | undefined;
  onChange: (node: DraftNode) => void;
}) {
  const retry = node.retry;
  const setRetry = (values: Partial<NonNullable<DraftNode["retry"]>>) => {
    const next = { ...retry, ...values };
    for (const key of Object.keys(next) as Array<keyof typeof next>) if (next[key] === undefined) delete next[key];
    onChange({ ...node, retry: next });
  };
  return (
    <fieldset className={styles.subFieldset}>
      <legend>When it fails or takes too long</legend>
      <EnumSelect
        label="On error"
        schema={schema?.shape.onError}
        value={node.onError ?? "fail"}
        labels={{ fail: "Fail the run", continue: "Continue (its error is its output)", branch: "Follow its “error” edges" }}
        error={errors.get("onError")}
        onChange={(value) => onChange({ ...node, onError: value as DraftNode["onError"] })}
      />
      <NumberField
        label="Timeout per attempt (ms, optional)"
        value={node.timeoutMs}
        min={100}
        error={errors.get("timeoutMs")}
        onChange={(value) => {
          const { timeoutMs: _old, ...rest } = node;
          onChange(value === undefined ? rest : { ...rest, timeoutMs: value });
        }}
      />
      <label className={styles.checkbox}>
        <input
          type="checkbox"
          checked={retry !== undefined}
          onChange={(event) => {
            const { retry: _old, ...rest } = node;
            onChange(event.target.checked ? { ...rest, retry: { maxAttempts: 3 } } : rest);
          }}
        />
        Retry on failure
      </label>
      {retry ? (
        <div className={styles.retryGrid}>
          <NumberField
            label="Attempts in all"
            value={retry.maxAttempts}
            min={1}
            max={10}
            error={errors.get("retry.maxAttempts")}
            onChange={(value) => setRetry({ maxAttempts: value })}
          />
          <NumberField
            label="First wait (ms)"
            value={retry.backoffMs}
            min={0}
            placeholder="1000"
            error={errors.get("retry.backoffMs")}
            onChange={(value) => setRetry({ backoffMs: value })}
          />
          <NumberField
            label="Longest wait (ms)"
            value={retry.maxBackoffMs}
            min={0}
            placeholder="60000"
            error={errors.get("retry.maxBackoffMs")}
            onChange={(value) => setRetry({ maxBackoffMs: value })}
          />
          <label className={styles.checkbox}>
            <input type="checkbox" checked={retry.jitter ?? true} onChange={(event) => setRetry({ jitter: event.target.checked })} />
            Jitter (spread the waits)
          </label>
        </div>
      ) : null}
    </fieldset>
  );
}

function EdgesFields({ node, otherNodeIds, outgoing, isReadOnly, onConnect, onRemoveEdge }: NodePanelProps) {
  const targetId = useId();
  const whenId = useId();
  const candidates = otherNodeIds.filter((id) => !outgoing.some((edge) => edge.target === id));
  const [target, setTarget] = useState("");
  const whenOptions: Array<{ value: string; label: string }> =
    node.type === "condition"
      ? [
          { value: "true", label: "when true" },
          { value: "false", label: "when false" },
        ]
      : [{ value: "", label: "on success" }];
  if (node.onError === "branch") whenOptions.push({ value: "error", label: "on error" });
  const [when, setWhen] = useState(whenOptions[0]?.value ?? "");
  const chosenTarget = candidates.includes(target) ? target : (candidates[0] ?? "");
  const chosenWhen = whenOptions.some((option) => option.value === when) ? when : (whenOptions[0]?.value ?? "");
  return (
    <fieldset className={styles.subFieldset} disabled={isReadOnly}>
      <legend>Next nodes</legend>
      {outgoing.length === 0 ? (
        <p className="muted">None yet: drag from a dot at the bottom of the node to another node, or add one here.</p>
      ) : null}
      <ul className={styles.edgeList}>
        {outgoing.map((edge) => (
          <li key={edge.id}>
            <span className="mono">
              → {edge.target}
              {edge.data?.when ? ` (${edge.data.when})` : ""}
            </span>
            {isReadOnly ? null : (
              <button
                type="button"
                className="button button-ghost button-small"
                aria-label={`Remove the edge ${edge.source} to ${edge.target}`}
                onClick={() => onRemoveEdge(edge.id)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {isReadOnly || candidates.length === 0 ? null : (
        <div className={styles.connectRow}>
          <div className="field">
            <label htmlFor={targetId}>Connect to</label>
            <select id={targetId} value={chosenTarget} onChange={(event) => setTarget(event.target.value)}>
              {candidates.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={whenId}>Follow it</label>
            <select id={whenId} value={chosenWhen} onChange={(event) => setWhen(event.target.value)}>
              {whenOptions.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          </div>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => onConnect(chosenTarget, (chosenWhen || undefined) as EdgeWhen | undefined)}
          >
            Add edge
          </button>
        </div>
      )}
    </fieldset>
  );
}
