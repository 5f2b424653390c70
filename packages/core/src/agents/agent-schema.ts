/**
 * The one validator of an agent's definition, shared by the API, the dashboard form and the SDK.
 * Error messages name what to fix; zod paths name the field.
 */
import { z } from "zod";
import { localModelNames } from "../llm/adapters/local";
import { modelProviders } from "../llm/types";
import { hasControlCharacters, hasControlCharactersInText } from "../validation";

/** A single line: names, roles. */
const ZLine = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .refine((value) => !hasControlCharacters(value), `${label} cannot contain control characters`);

/** Multi-line text: tabs and newlines allowed, other control characters not. */
const ZText = (label: string, max: number) =>
  z
    .string()
    .max(max, `Use at most ${max.toLocaleString("en")} characters`)
    .refine((value) => !hasControlCharactersInText(value), `${label} cannot contain control characters`);

export const ZModelRef = z
  .object({
    provider: z.enum(modelProviders, { message: `Choose a provider: ${modelProviders.join(", ")}` }),
    model: z
      .string()
      .trim()
      .min(1, "Enter a model name")
      .max(200)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$/, "Model names are letters, digits and . _ : / @ + -"),
  })
  .superRefine((value, context) => {
    if (value.provider === "local" && !(localModelNames as readonly string[]).includes(value.model)) {
      context.addIssue({
        code: "custom",
        path: ["model"],
        message: `The offline provider has these models: ${localModelNames.join(", ")}`,
      });
    }
  });
export type ModelRef = z.infer<typeof ZModelRef>;

export const ZAgentParameters = z.object({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  /** Model calls per turn, tool rounds included; the tool-call loop stops there. */
  maxSteps: z.number().int().min(1).max(50).default(8),
});

export const ZMemorySettings = z.object({
  /** Tokens of recent conversation kept verbatim; older turns are summarised. */
  shortTermTokens: z.number().int().min(256).max(200_000).default(4000),
  longTermEnabled: z.boolean().default(true),
  /** Memories recalled into each turn, most similar first. */
  recallLimit: z.number().int().min(0).max(50).default(5),
  profileEnabled: z.boolean().default(true),
});

const ZUsd = z.number().min(0).max(1_000_000);
const ZTokens = z.number().int().min(1).max(1_000_000_000);

export const ZAgentBudgets = z.object({
  perRunTokens: ZTokens.optional(),
  perRunUsd: ZUsd.optional(),
  perDayTokens: ZTokens.optional(),
  perDayUsd: ZUsd.optional(),
});
export type AgentBudgets = z.infer<typeof ZAgentBudgets>;

export const ZToolName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "Tool names are lower_snake_case");

export const ZAgentDefinition = z.object({
  name: ZLine("Names", 100).pipe(z.string().min(1, "Give the agent a name")),
  role: ZLine("Roles", 200).pipe(z.string().min(1, "Describe the agent's role")),
  goal: ZText("The goal", 2_000).default(""),
  instructions: ZText("Instructions", 20_000).default(""),
  model: ZModelRef,
  parameters: ZAgentParameters.default({ maxSteps: 8 }),
  fallbackModels: z.array(ZModelRef).max(5, "Use at most 5 fallback models").default([]),
  tools: z
    .array(ZToolName)
    .max(64)
    .default([])
    .refine((tools) => new Set(tools).size === tools.length, "Each tool appears once"),
  /** Tools whose every call by this agent waits for a person's approval. */
  approvalTools: z
    .array(ZToolName)
    .max(64)
    .default([])
    .refine((tools) => new Set(tools).size === tools.length, "Each tool appears once"),
  knowledgeBaseIds: z.array(z.uuid()).max(20).default([]),
  memory: ZMemorySettings.default({ shortTermTokens: 4000, longTermEnabled: true, recallLimit: 5, profileEnabled: true }),
  budgets: ZAgentBudgets.default({}),
});
export type AgentDefinition = z.infer<typeof ZAgentDefinition>;
export type AgentDefinitionInput = z.input<typeof ZAgentDefinition>;

export const ZAgentUpdate = ZAgentDefinition.partial().extend({
  /** The version the edit started from; a newer version on the server refuses the update (CONFLICT). */
  expectedVersion: z.number().int().min(1).optional(),
});
