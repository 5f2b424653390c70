/**
 * The model gateway: every model call of the process goes through it. Per `provider:model` it keeps a
 * circuit breaker (cockatiel: opens after N consecutive transient failures, half-opens after a pause to
 * probe with one call), retries transient failures with exponential backoff that honours the vendor's
 * `retry-after`, and bounds each call with a timeout (for streams: an idle timeout between events).
 * `callWithFallback` walks an agent's chain of models and records every attempt.
 *
 * A stream is retried or failed over only before its first event reached the caller; after that an error
 * ends the answer, since text already shown cannot be taken back.
 */
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  DelegateBackoff,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IRetryBackoffContext,
  retry,
  wrap,
} from "cockatiel";
import { toModelCallError } from "./errors";
import { type ChatRequest, type ChatResult, type ChatStreamEvent, type ModelAdapter, ModelCallError, type ModelProvider } from "./types";

export interface GatewayOptions {
  retry?: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** Whole-call limit for `chat`; for `stream`, the longest wait for the next event. */
  timeoutMs?: number;
  onBreakerStateChange?: (key: string, state: BreakerState) => void;
}

export type BreakerState = "closed" | "open" | "half_open";

export interface ModelTarget {
  adapter: ModelAdapter;
  model: string;
}

export interface FallbackAttempt {
  provider: ModelProvider;
  model: string;
  error: { kind: ModelCallError["kind"] | "circuit_open"; message: string };
}

export interface GatewayResult {
  result: ChatResult;
  /** The models tried before the one that answered, with why each failed. Empty when the first answered. */
  fallbacks: FallbackAttempt[];
}

const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.Open]: "open",
  [CircuitState.HalfOpen]: "half_open",
  [CircuitState.Isolated]: "open",
};

class StreamStartedError extends Error {
  constructor(readonly inner: ModelCallError) {
    super(inner.message);
  }
}

export function createModelGateway(options: GatewayOptions = {}) {
  const maxAttempts = options.retry?.maxAttempts ?? 3;
  const maxRetryAfterMs = options.retry?.maxRetryAfterMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const exponential = new ExponentialBackoff({
    initialDelay: options.retry?.initialDelayMs ?? 250,
    maxDelay: options.retry?.maxDelayMs ?? 10_000,
  });
  const breakers = new Map<string, CircuitBreakerPolicy>();

  const isRetryable = (error: Error) =>
    error instanceof ModelCallError && error.isTransient && (error.retryAfterMs === undefined || error.retryAfterMs <= maxRetryAfterMs);

  const retryPolicy = retry(handleWhen(isRetryable), {
    maxAttempts: Math.max(0, maxAttempts - 1),
    backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>((context, state) => {
      const next = state ? state.next(undefined) : exponential.next();
      const error = "error" in context.result ? context.result.error : undefined;
      const retryAfter = error instanceof ModelCallError ? error.retryAfterMs : undefined;
      return { delay: retryAfter !== undefined ? Math.max(retryAfter, 0) : next.duration, state: next };
    }),
  });

  function breakerFor(provider: ModelProvider, model: string): CircuitBreakerPolicy {
    const key = `${provider}:${model}`;
    let breaker = breakers.get(key);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((error) => error instanceof ModelCallError && error.isTransient),
        {
          halfOpenAfter: options.breaker?.halfOpenAfterMs ?? 30_000,
          breaker: new ConsecutiveBreaker(options.breaker?.consecutiveFailures ?? 5),
        },
      );
      const created = breaker;
      created.onStateChange((state) => options.onBreakerStateChange?.(key, stateNames[state]));
      breakers.set(key, breaker);
    }
    return breaker;
  }

  /** One attempt with a deadline, combined with the caller's signal. */
  async function attemptChat(target: ModelTarget, request: ChatRequest): Promise<ChatResult> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new ModelCallError({
            kind: "timeout",
            provider: target.adapter.provider,
            message: `No answer from ${target.adapter.provider}:${target.model} within ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    );
    const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
    try {
      return await target.adapter.chat({ ...request, model: target.model, signal });
    } catch (error) {
      throw deadline.signal.aborted && !request.signal?.aborted
        ? deadline.signal.reason
        : toModelCallError(target.adapter.provider, error, request.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  async function attemptStream(target: ModelTarget, request: ChatRequest, onEvent: (event: ChatStreamEvent) => void): Promise<ChatResult> {
    const provider = target.adapter.provider;
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          idle.abort(
            new ModelCallError({ kind: "timeout", provider, message: `${provider}:${target.model} sent nothing for ${timeoutMs} ms` }),
          ),
        timeoutMs,
      );
    };
    const signal = request.signal ? AbortSignal.any([request.signal, idle.signal]) : idle.signal;
    let started = false;
    try {
      arm();
      for await (const event of target.adapter.stream({ ...request, model: target.model, signal })) {
        arm();
        if (event.type === "done") return event.result;
        started = true;
        onEvent(event);
      }
      throw new ModelCallError({ kind: "malformed", provider, message: `${provider} ended the stream without a result` });
    } catch (error) {
      const failure =
        idle.signal.aborted && !request.signal?.aborted
          ? (idle.signal.reason as ModelCallError)
          : toModelCallError(provider, error, request.signal);
      throw started ? new StreamStartedError(failure) : failure;
    } finally {
      clearTimeout(timer);
    }
  }

  async function call(target: ModelTarget, request: ChatRequest, onEvent?: (event: ChatStreamEvent) => void): Promise<ChatResult> {
    const policy = wrap(retryPolicy, breakerFor(target.adapter.provider, target.model));
    try {
      return await policy.execute(() => (onEvent ? attemptStream(target, request, onEvent) : attemptChat(target, request)), request.signal);
    } catch (error) {
      if (error instanceof StreamStartedError) throw error.inner;
      if (error instanceof BrokenCircuitError) {
        throw new ModelCallError({
          kind: "server",
          provider: target.adapter.provider,
          message: `The circuit for ${target.adapter.provider}:${target.model} is open after repeated failures`,
          cause: error,
        });
      }
      throw toModelCallError(target.adapter.provider, error, request.signal);
    }
  }

  /**
   * Tries each target in order. A target whose circuit is open is skipped at once; an aborted call stops
   * the walk; every other failure moves on to the next model. Throws the last error when all failed.
   */
  async function callWithFallback(
    chain: ModelTarget[],
    request: ChatRequest,
    onEvent?: (event: ChatStreamEvent) => void,
  ): Promise<GatewayResult> {
    const fallbacks: FallbackAttempt[] = [];
    let lastError: ModelCallError | undefined;
    for (const target of chain) {
      let started = false;
      const forward = onEvent
        ? (event: ChatStreamEvent) => {
            started = true;
            onEvent(event);
          }
        : undefined;
      try {
        const result = await call(target, request, forward);
        return { result, fallbacks };
      } catch (error) {
        const failure = toModelCallError(target.adapter.provider, error, request.signal);
        if (failure.kind === "aborted" || started) throw failure;
        lastError = failure;
        const circuitOpen = failure.cause instanceof BrokenCircuitError;
        fallbacks.push({
          provider: target.adapter.provider,
          model: target.model,
          error: { kind: circuitOpen ? "circuit_open" : failure.kind, message: failure.message },
        });
      }
    }
    throw lastError ?? new ModelCallError({ kind: "bad_request", provider: "local", message: "No model is configured" });
  }

  function breakerStates(): Array<{ key: string; state: BreakerState }> {
    return [...breakers.entries()].map(([key, breaker]) => ({ key, state: stateNames[breaker.state] }));
  }

  return { call, callWithFallback, breakerStates };
}

export type ModelGateway = ReturnType<typeof createModelGateway>;
