"use client";
/**
 * The run inputs a pipeline declares (name, type, required, default, description) and its run timeout:
 * what the run form asks for and what `{{inputs.name}}` references may name. Defaults are typed in as
 * text and parsed by the input's type; one that does not parse is a problem like any other.
 */
import { type DefinitionProblem, type PipelineInput, pipelineInputTypes } from "@gathering/core/browser";
import { TextField } from "~/components/field";
import { NumberField, OptionField } from "./form-fields";
import styles from "./pipelines.module.css";
import { parseInputValue } from "./run-inputs-form";
import { toJsonText } from "./shared";

export interface DraftInput {
  /** Only for React's keys: names change as they are typed. */
  key: number;
  name: string;
  type: PipelineInput["type"];
  required: boolean;
  defaultText: string;
  description: string;
}

let nextKey = 1;

export function draftInputsOf(inputs: unknown): DraftInput[] {
  if (!Array.isArray(inputs)) return [];
  return inputs.map((raw) => {
    const input = (typeof raw === "object" && raw !== null ? raw : {}) as Partial<PipelineInput>;
    const type = pipelineInputTypes.includes(input.type as PipelineInput["type"]) ? (input.type as PipelineInput["type"]) : "string";
    return {
      key: nextKey++,
      name: typeof input.name === "string" ? input.name : "",
      type,
      required: input.required === true,
      defaultText:
        input.default === undefined
          ? ""
          : type === "string" && typeof input.default === "string"
            ? input.default
            : toJsonText(input.default),
      description: typeof input.description === "string" ? input.description : "",
    };
  });
}

/** The inputs as the definition holds them, and the defaults that do not parse. */
export function inputsOfDrafts(drafts: readonly DraftInput[]): { inputs: unknown[]; problems: DefinitionProblem[] } {
  const problems: DefinitionProblem[] = [];
  const inputs = drafts.map((draft, index) => {
    const input: Record<string, unknown> = { name: draft.name, type: draft.type, required: draft.required };
    if (draft.description.trim()) input.description = draft.description;
    if (draft.type === "boolean" ? draft.defaultText !== "" : draft.defaultText.trim() !== "") {
      const parsed = parseInputValue({ name: draft.name, type: draft.type, required: false }, draft.defaultText);
      if (parsed.error)
        problems.push({ path: `inputs.${index}.default`, message: `Default of ${draft.name || "an input"}: ${parsed.error}` });
      else input.default = parsed.value;
    }
    return input;
  });
  return { inputs, problems };
}

interface InputsEditorProps {
  inputs: readonly DraftInput[];
  timeoutMs: number | undefined;
  problems: readonly DefinitionProblem[];
  isReadOnly: boolean;
  onChange: (inputs: DraftInput[]) => void;
  onTimeoutChange: (timeoutMs: number | undefined) => void;
}

export function InputsEditor({ inputs, timeoutMs, problems, isReadOnly, onChange, onTimeoutChange }: InputsEditorProps) {
  const errorAt = (path: string) => problems.find((problem) => problem.path === path || problem.path.startsWith(`${path}.`))?.message;
  const update = (index: number, values: Partial<DraftInput>) =>
    onChange(inputs.map((input, at) => (at === index ? { ...input, ...values } : input)));
  return (
    <section className={styles.panelSection} aria-label="Run inputs and limits">
      <div className={styles.panelTitle}>
        <div>
          <h3>Run inputs</h3>
          <p className="muted">What a run is started with; nodes read them as {"{{inputs.name}}"}. Select a node to edit it.</p>
        </div>
      </div>
      <fieldset className={styles.panelFieldset} disabled={isReadOnly}>
        <legend className="visually-hidden">Run inputs</legend>
        {inputs.length === 0 ? <p className="muted">No inputs declared.</p> : null}
        {inputs.map((input, index) => (
          <fieldset key={input.key} className={styles.subFieldset}>
            <legend>{input.name || `Input ${index + 1}`}</legend>
            <TextField
              label="Name"
              className={styles.monoField}
              value={input.name}
              maxLength={64}
              error={errorAt(`inputs.${index}.name`)}
              onChange={(event) => update(index, { name: event.target.value })}
            />
            <OptionField
              label="Type"
              value={input.type}
              options={pipelineInputTypes.map((type) => ({ value: type, label: type }))}
              onChange={(value) => update(index, { type: value as PipelineInput["type"], defaultText: "" })}
            />
            <label className={styles.checkbox}>
              <input type="checkbox" checked={input.required} onChange={(event) => update(index, { required: event.target.checked })} />
              Required
            </label>
            {input.type === "boolean" ? (
              <OptionField
                label="Default"
                value={input.defaultText}
                options={[
                  { value: "", label: "None" },
                  { value: "true", label: "true" },
                  { value: "false", label: "false" },
                ]}
                onChange={(value) => update(index, { defaultText: value })}
              />
            ) : (
              <TextField
                label="Default (optional)"
                className={input.type === "string" ? undefined : styles.monoField}
                value={input.defaultText}
                error={errorAt(`inputs.${index}.default`)}
                hint={input.type === "object" || input.type === "array" ? "JSON" : undefined}
                onChange={(event) => update(index, { defaultText: event.target.value })}
              />
            )}
            <TextField
              label="Description"
              value={input.description}
              maxLength={120}
              error={errorAt(`inputs.${index}.description`)}
              onChange={(event) => update(index, { description: event.target.value })}
            />
            <button
              type="button"
              className="button button-ghost button-small"
              aria-label={`Remove input ${input.name || index + 1}`}
              onClick={() => onChange(inputs.filter((_, at) => at !== index))}
            >
              Remove input
            </button>
          </fieldset>
        ))}
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() =>
            onChange([
              ...inputs,
              { key: nextKey++, name: `input${inputs.length + 1}`, type: "string", required: false, defaultText: "", description: "" },
            ])
          }
        >
          Add input
        </button>
        <NumberField
          label="Run timeout (ms, optional)"
          value={timeoutMs}
          min={1_000}
          hint="The whole run is cancelled after this long."
          error={errorAt("timeoutMs")}
          onChange={onTimeoutChange}
        />
      </fieldset>
    </section>
  );
}
