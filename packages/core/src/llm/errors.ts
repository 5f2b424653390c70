/** Turns whatever a vendor SDK or fetch threw into a ModelCallError the resilience policies understand. */
import { ModelCallError, type ModelProvider } from "./types";

interface HttpLikeError {
  status?: number;
  headers?: Headers | Record<string, string | null | undefined>;
  message?: string;
  name?: string;
}

function readHeader(headers: HttpLikeError["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | null | undefined>)[name];
  return value ?? undefined;
}

/** A vendor answered with an HTTP error status (for adapters that use fetch directly). */
export class VendorHttpError extends Error {
  override readonly name = "VendorHttpError";
  readonly status: number;
  readonly headers: Headers;

  constructor(status: number, headers: Headers, message: string) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

/** `retry-after-ms` (OpenAI, Anthropic) wins over `retry-after` (seconds or an HTTP date). */
export function parseRetryAfter(headers: HttpLikeError["headers"], now = Date.now()): number | undefined {
  const milliseconds = Number(readHeader(headers, "retry-after-ms"));
  if (Number.isFinite(milliseconds) && milliseconds >= 0 && readHeader(headers, "retry-after-ms") !== undefined) return milliseconds;
  const raw = readHeader(headers, "retry-after");
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function kindForStatus(status: number): ModelCallError["kind"] {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "auth";
  if (status === 408) return "timeout";
  if (status === 529 || status >= 500) return "server";
  return "bad_request";
}

export function toModelCallError(provider: ModelProvider, error: unknown, signal?: AbortSignal): ModelCallError {
  if (error instanceof ModelCallError) return error;
  const candidate = (error ?? {}) as HttpLikeError;
  const name = candidate.name ?? "";
  const message = candidate.message ?? String(error);
  if (signal?.aborted || name === "AbortError" || /UserAbortError/.test(name)) {
    const reason = signal?.reason;
    if (reason instanceof ModelCallError) return reason;
    return new ModelCallError({ kind: "aborted", provider, message: "The model call was aborted", cause: error });
  }
  if (/TimeoutError/.test(name)) return new ModelCallError({ kind: "timeout", provider, message, cause: error });
  if (typeof candidate.status === "number") {
    const status = candidate.status;
    return new ModelCallError({
      kind: kindForStatus(status),
      provider,
      status,
      message: `${provider} answered ${status}: ${message}`.slice(0, 500),
      retryAfterMs: parseRetryAfter(candidate.headers),
      cause: error,
    });
  }
  if (/ConnectionError|FetchError|ECONNREFUSED|ECONNRESET|socket|network|fetch failed/i.test(`${name} ${message}`)) {
    return new ModelCallError({
      kind: "network",
      provider,
      message: `${provider} could not be reached: ${message}`.slice(0, 500),
      cause: error,
    });
  }
  if (error instanceof SyntaxError || /JSON|Unexpected token|Could not parse/i.test(message)) {
    return new ModelCallError({
      kind: "malformed",
      provider,
      message: `${provider} sent a malformed answer: ${message}`.slice(0, 500),
      cause: error,
    });
  }
  return new ModelCallError({ kind: "malformed", provider, message: `${provider} failed: ${message}`.slice(0, 500), cause: error });
}

/** Parses tool-call arguments the way every adapter must: an object, or a readable reason why not. */
export function parseToolArguments(text: string | undefined): { arguments: Record<string, unknown>; argumentsError?: string } {
  if (text === undefined || text.trim() === "") return { arguments: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return { arguments: value as Record<string, unknown> };
    return { arguments: {}, argumentsError: "The tool arguments must be a JSON object" };
  } catch {
    return { arguments: {}, argumentsError: `The tool arguments are not valid JSON: ${text.slice(0, 200)}` };
  }
}
