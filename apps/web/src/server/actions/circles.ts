"use server";
/**
 * The new-circle form's server action: circles.create through the server caller. Fields are named by
 * their path in the circle definition ("members.0.agentId", "termination.maxTurns"), which is also the
 * path of the domain validator's errors; the cost is typed in US dollars and sent in millionths.
 */
import type { RouterOutputs } from "@gathering/api";
import { ZCircleDefinition } from "@gathering/core";
import { optionalNumberOf, requiredNumberOf, textOf } from "./form-input";
import type { FieldErrors, FormState } from "./form-state";
import { runFormAction } from "./run-form-action";

type Circle = RouterOutputs["circles"]["create"];

const strategiesWithCoordinator = new Set(["selector", "hierarchical"]);

/** The member rows' indices as submitted ("members.1.agentId" → 1), in order. */
function memberIndices(formData: FormData): number[] {
  const indices = new Set<number>();
  for (const name of formData.keys()) {
    const match = /^members\.(\d+)\.agentId$/.exec(name);
    if (match) indices.add(Number(match[1]));
  }
  return [...indices].sort((a, b) => a - b);
}

function circleInputOf(formData: FormData) {
  const fieldErrors: FieldErrors = {};
  const strategy = textOf(formData, "strategy");
  const maxCostUsd = optionalNumberOf(formData, "termination.maxCostUsd", fieldErrors, "termination.maxCostMicros");
  const completionPhrase = textOf(formData, "termination.completionPhrase").trim();
  const maxTokens = optionalNumberOf(formData, "termination.maxTokens", fieldErrors);
  const timeoutSeconds = optionalNumberOf(formData, "termination.timeoutSeconds", fieldErrors);
  const definition = {
    name: textOf(formData, "name"),
    description: textOf(formData, "description"),
    strategy,
    members: memberIndices(formData).map((index) => ({
      agentId: textOf(formData, `members.${index}.agentId`),
      role: textOf(formData, `members.${index}.role`),
    })),
    coordinatorAgentId: strategiesWithCoordinator.has(strategy) ? textOf(formData, "coordinatorAgentId") || null : null,
    termination: {
      maxTurns: requiredNumberOf(formData, "termination.maxTurns", fieldErrors),
      ...(maxTokens !== undefined ? { maxTokens: Math.round(maxTokens) } : {}),
      ...(maxCostUsd !== undefined ? { maxCostMicros: Math.round(maxCostUsd * 1_000_000) } : {}),
      ...(timeoutSeconds !== undefined ? { timeoutSeconds: Math.round(timeoutSeconds) } : {}),
      ...(completionPhrase ? { completionPhrase } : {}),
    },
  };
  return { input: { projectId: textOf(formData, "projectId"), definition }, fieldErrors };
}

export async function createCircleAction(_previous: FormState<Circle>, formData: FormData): Promise<FormState<Circle>> {
  return runFormAction({
    formData,
    parse: circleInputOf,
    schema: (input) => ZCircleDefinition.safeParse(input.definition),
    call: (api, input) => api.circles.create(input),
    redirectTo: (circle) => `/circles/${circle.id}`,
  });
}
