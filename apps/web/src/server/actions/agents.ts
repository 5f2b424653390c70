"use server";
/**
 * The new-agent form's server action: agents.create through the server caller. Each field is named by
 * its path in the procedure's input ("model.provider", "memory.recallLimit", "fallbackModels.0.model"),
 * which is also the path of its error.
 */
import type { RouterInputs, RouterOutputs } from "@gathering/api";
import { ZAgentDefinition } from "@gathering/core/browser";
import { optionalNumberOf, textOf, textsOf } from "./form-input";
import type { FieldErrors, FormState } from "./form-state";
import { runFormAction } from "./run-form-action";

type Agent = RouterOutputs["agents"]["create"];

/** The fallback rows' indices as submitted ("fallbackModels.2.provider" → 2), in order. */
function fallbackIndices(formData: FormData): number[] {
  const indices = new Set<number>();
  for (const name of formData.keys()) {
    const match = /^fallbackModels\.(\d+)\.provider$/.exec(name);
    if (match) indices.add(Number(match[1]));
  }
  return [...indices].sort((a, b) => a - b);
}

function agentInputOf(formData: FormData) {
  const fieldErrors: FieldErrors = {};
  const number = (name: string) => optionalNumberOf(formData, name, fieldErrors);
  const input = {
    projectId: textOf(formData, "projectId"),
    name: textOf(formData, "name"),
    role: textOf(formData, "role"),
    goal: textOf(formData, "goal"),
    instructions: textOf(formData, "instructions"),
    model: { provider: textOf(formData, "model.provider"), model: textOf(formData, "model.model") },
    parameters: {
      temperature: number("parameters.temperature"),
      maxTokens: number("parameters.maxTokens"),
      maxSteps: number("parameters.maxSteps"),
    },
    fallbackModels: fallbackIndices(formData).map((index) => ({
      provider: textOf(formData, `fallbackModels.${index}.provider`),
      model: textOf(formData, `fallbackModels.${index}.model`),
    })),
    tools: textOf(formData, "tools")
      .split(/[\s,]+/)
      .map((tool) => tool.trim())
      .filter(Boolean),
    knowledgeBaseIds: textsOf(formData, "knowledgeBaseIds"),
    memory: {
      shortTermTokens: number("memory.shortTermTokens"),
      // A checkbox is sent only when ticked.
      longTermEnabled: formData.has("memory.longTermEnabled"),
      recallLimit: number("memory.recallLimit"),
      profileEnabled: formData.has("memory.profileEnabled"),
    },
    budgets: {
      perRunTokens: number("budgets.perRunTokens"),
      perRunUsd: number("budgets.perRunUsd"),
      perDayTokens: number("budgets.perDayTokens"),
      perDayUsd: number("budgets.perDayUsd"),
    },
  };
  return { input, fieldErrors };
}

export async function createAgentAction(_previous: FormState<Agent>, formData: FormData): Promise<FormState<Agent>> {
  return runFormAction({
    formData,
    parse: agentInputOf,
    schema: ({ projectId: _projectId, ...definition }) => ZAgentDefinition.safeParse(definition),
    // The text of the form is judged by the procedure's own input schema; the cast only tells the compiler so.
    call: (api, input) => api.agents.create(input as RouterInputs["agents"]["create"]),
    redirectTo: (agent) => `/agents/${agent.id}`,
  });
}
