/**
 * Run inputs without React: a typed value from what was typed into a field, and the inputs a pipeline
 * declares as the editor holds them (defaults as text) and as the definition stores them.
 */
import type { DefinitionProblem, PipelineInput } from "@gathering/core/browser";
import { pipelineInputTypes } from "@gathering/core/browser";
import { toJsonText } from "./shared";

/** The typed value of one field, or an error message; undefined when left empty. */
export function parseInputValue(input: PipelineInput, text: string): { value?: unknown; error?: string } {
  if (input.type === "boolean") return { value: text === "true" };
  if (text.trim() === "") return input.required && input.default === undefined ? { error: `${input.name} is required` } : {};
  if (input.type === "string") return { value: text };
  if (input.type === "number") {
    const number = Number(text);
    return Number.isFinite(number) ? { value: number } : { error: "Enter a number" };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (input.type === "array" && !Array.isArray(parsed)) return { error: "Enter a JSON list, like [1, 2]" };
    if (input.type === "object" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
      return { error: 'Enter a JSON object, like {"key": "value"}' };
    }
    return { value: parsed };
  } catch {
    return { error: "Not valid JSON" };
  }
}

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

export function newDraftInput(name: string): DraftInput {
  return { key: nextKey++, name, type: "string", required: false, defaultText: "", description: "" };
}
