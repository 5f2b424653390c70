"use client";
/**
 * The run inputs a pipeline declares (name, type, required, default, description) and its run timeout:
 * what the run form asks for and what `{{inputs.name}}` references may name. Defaults are typed in as
 * text and parsed by the input's type; one that does not parse is a problem like any other.
 */
import { type DefinitionProblem, type PipelineInput, pipelineInputTypes } from "@gathering/core/browser";
import { TextField } from "~/components/field";
import { NumberField, OptionField } from "./form-fields";
import { type DraftInput, newDraftInput } from "./inputs";
import styles from "./pipelines.module.css";

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
          onClick={() => onChange([...inputs, newDraftInput(`input${inputs.length + 1}`)])}
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
