/**
 * Turns an agent's model references into adapters with the project's keys and base URLs. Adapters are
 * cached per (provider, base URL, key) so a turn does not build an SDK client; the cache key holds a
 * hash of the key, never the key.
 */
import { createHash } from "node:crypto";
import { type DbExecutor, findProjectModelSettings } from "@gathering/db";
import { LRUCache } from "lru-cache";
import type { ModelRef } from "../agents/agent-schema";
import { parseUsageSettings } from "../agents/budgets";
import { AppError } from "../errors";
import type { Keyring } from "../security/encryption";
import { type ProviderSettings, readProviderApiKey, ZProviderSettings } from "../settings/provider-settings";
import { createAnthropicAdapter } from "./adapters/anthropic";
import { createLocalAdapter } from "./adapters/local";
import { createOllamaAdapter } from "./adapters/ollama";
import { createOpenAiAdapter } from "./adapters/openai";
import type { FallbackAttempt, ModelTarget } from "./gateway";
import type { ModelAdapter } from "./types";

const adapters = new LRUCache<string, ModelAdapter>({ max: 200 });
const localAdapter = createLocalAdapter();

function cached(key: string, build: () => ModelAdapter): ModelAdapter {
  let adapter = adapters.get(key);
  if (!adapter) {
    adapter = build();
    adapters.set(key, adapter);
  }
  return adapter;
}

export interface ResolvedTargets {
  targets: ModelTarget[];
  /** Models of the chain that cannot be called at all (no API key set), in chain order. */
  unavailable: FallbackAttempt[];
}

/**
 * Everything a model call needs from the project, read in parallel: the provider settings, prices and
 * budgets (one row) and the decrypted keys of the providers in the chain.
 */
export async function loadModelContext(db: DbExecutor, keyring: Keyring, projectId: string, chain: ModelRef[]) {
  const keyed = [...new Set(chain.map((ref) => ref.provider))].filter(
    (provider): provider is "anthropic" | "openai" | "deepseek" =>
      provider === "anthropic" || provider === "openai" || provider === "deepseek",
  );
  const [stored, ...keys] = await Promise.all([
    findProjectModelSettings(db, projectId),
    ...keyed.map((provider) => readProviderApiKey(db, keyring, { projectId, provider })),
  ]);
  const providers = ZProviderSettings.safeParse(stored.providers);
  const apiKeys = new Map<string, string | null>(
    keyed.map((provider, index) => [provider, (keys[index] as string | null | undefined) ?? null]),
  );
  const resolved = buildTargets(chain, providers.success ? providers.data : ZProviderSettings.parse({}), apiKeys);
  return { ...resolved, usage: parseUsageSettings(stored) };
}
export type ModelContext = Awaited<ReturnType<typeof loadModelContext>>;

/** Throws PRECONDITION_FAILED (naming the first reason) when no model of the chain can be called. */
export function assertSomeModelCallable(resolved: ResolvedTargets): void {
  if (resolved.targets.length > 0) return;
  throw new AppError("PRECONDITION_FAILED", resolved.unavailable[0]?.error.message ?? "No model is configured for this agent", {
    attempts: resolved.unavailable,
  });
}

function buildTargets(chain: ModelRef[], settings: ProviderSettings, apiKeys: Map<string, string | null>): ResolvedTargets {
  const targets: ModelTarget[] = [];
  const unavailable: FallbackAttempt[] = [];
  for (const ref of chain) {
    switch (ref.provider) {
      case "local":
        targets.push({ adapter: localAdapter, model: ref.model });
        break;
      case "ollama": {
        const baseUrl = settings.ollama.baseUrl ?? null;
        targets.push({ adapter: cached(`ollama|${baseUrl}`, () => createOllamaAdapter({ baseUrl })), model: ref.model });
        break;
      }
      case "anthropic":
      case "openai":
      case "deepseek": {
        const provider = ref.provider;
        const apiKey = apiKeys.get(provider) ?? null;
        if (!apiKey) {
          unavailable.push({
            provider,
            model: ref.model,
            error: { kind: "auth", message: `No API key is set for ${provider}: add one in Settings` },
          });
          break;
        }
        const baseUrl = settings[provider].baseUrl ?? null;
        const key = `${provider}|${baseUrl}|${createHash("sha256").update(apiKey).digest("base64url")}`;
        targets.push({
          adapter: cached(key, () =>
            provider === "anthropic" ? createAnthropicAdapter({ apiKey, baseUrl }) : createOpenAiAdapter({ provider, apiKey, baseUrl }),
          ),
          model: ref.model,
        });
        break;
      }
    }
  }
  return { targets, unavailable };
}
