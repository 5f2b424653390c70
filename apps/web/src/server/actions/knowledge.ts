"use server";
/**
 * The new-knowledge-base form's server action: knowledge.create through the server caller. The model
 * picker sends "provider:model" (the offline embedder, OpenAI or Ollama); empty chunk settings mean the
 * server's defaults.
 */
import type { RouterInputs, RouterOutputs } from "@gathering/api";
import { ZCreateKnowledgeBaseInput } from "@gathering/core";
import { optionalNumberOf, textOf } from "./form-input";
import type { FieldErrors, FormState } from "./form-state";
import { runFormAction } from "./run-form-action";

type KnowledgeBase = RouterOutputs["knowledge"]["create"];

function knowledgeBaseInputOf(formData: FormData) {
  const fieldErrors: FieldErrors = {};
  const chunkSize = optionalNumberOf(formData, "chunkSize", fieldErrors);
  const chunkOverlap = optionalNumberOf(formData, "chunkOverlap", fieldErrors);
  const modelKey = textOf(formData, "embedding");
  const separator = modelKey.indexOf(":");
  const input = {
    projectId: textOf(formData, "projectId"),
    name: textOf(formData, "name"),
    description: textOf(formData, "description"),
    ...(separator > 0 ? { embedding: { provider: modelKey.slice(0, separator), model: modelKey.slice(separator + 1) } } : {}),
    ...(chunkSize !== undefined ? { chunkSize } : {}),
    ...(chunkOverlap !== undefined ? { chunkOverlap } : {}),
  };
  return { input, fieldErrors };
}

export async function createKnowledgeBaseAction(
  _previous: FormState<KnowledgeBase>,
  formData: FormData,
): Promise<FormState<KnowledgeBase>> {
  return runFormAction({
    formData,
    parse: knowledgeBaseInputOf,
    schema: ({ projectId: _projectId, ...knowledgeBase }) => ZCreateKnowledgeBaseInput.safeParse(knowledgeBase),
    // The text of the form is judged by the procedure's own input schema; the cast only tells the compiler so.
    call: (api, input) => api.knowledge.create(input as RouterInputs["knowledge"]["create"]),
    redirectTo: (knowledgeBase) => `/knowledge/${knowledgeBase.id}`,
  });
}
