/** How a model is named on the agent pages: provider:model, with the offline demo model said to be one. */
import { localModelLabel } from "./shared";

export const providerLabels = {
  local: "Offline (local)",
  anthropic: "Anthropic",
  openai: "OpenAI",
  deepseek: "DeepSeek",
  ollama: "Ollama",
} as const;

export function modelLabel(model: { provider: string; model: string }): string {
  return `${model.provider}:${model.model}`;
}

/** The short note shown next to a model of the offline provider. */
export function offlineNote(provider: string | null | undefined): string | null {
  return provider === "local" ? localModelLabel : null;
}
