/**
 * Starts exporting traces for one process: a Node tracer provider (async-context propagation, W3C trace
 * context) with a batching OTLP/HTTP exporter, and the database observer. Called once by the `start` and
 * `worker` commands, and only does anything when an OTLP endpoint is configured; without one, and
 * before this runs, every span in the code base is a no-op. The SDK is loaded only when needed.
 */
import { setQueryObserver } from "@gathering/db";
import { context, type DiagLogger, DiagLogLevel, diag, propagation, trace } from "@opentelemetry/api";
import type { Logger } from "../logger";
import { GATHERING_VERSION } from "../version";
import { databaseQueryObserver } from "./database-spans";
import { activeTracerOrUndefined, setActiveTracer } from "./tracing";

export interface StartTelemetryOptions {
  /** `service.name` on every span (OTEL_SERVICE_NAME), e.g. "gathering-web" or "gathering-worker". */
  serviceName: string;
  /** The OTLP/HTTP base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`. Unset: no tracing. */
  endpoint?: string;
  /** Sent with every export, e.g. a vendor's API key (OTEL_EXPORTER_OTLP_HEADERS). */
  headers?: Record<string, string>;
  /** Where the exporter's own problems (collector unreachable, refused batches) are reported. */
  logger: Logger;
}

export interface Telemetry {
  readonly isExporting: boolean;
  /** Exports every finished span now (tests, and before a planned exit). */
  flush(): Promise<void>;
  /** Stops tracing, exports what is pending and unregisters the provider. */
  shutdown(): Promise<void>;
}

const disabledTelemetry: Telemetry = { isExporting: false, flush: async () => {}, shutdown: async () => {} };

/** Per the OTLP spec, a base endpoint gets the signal's path appended: http://collector:4318 -> .../v1/traces. */
export function otlpTracesUrl(endpoint: string): string {
  return new URL("v1/traces", endpoint.endsWith("/") ? endpoint : `${endpoint}/`).toString();
}

function diagnosticsTo(logger: Logger): DiagLogger {
  const log = logger.child({ component: "opentelemetry" });
  return {
    error: (message, ...args) => log.error({ args }, message),
    warn: (message, ...args) => log.warn({ args }, message),
    info: (message, ...args) => log.info({ args }, message),
    debug: (message, ...args) => log.debug({ args }, message),
    verbose: (message, ...args) => log.trace({ args }, message),
  };
}

export async function startTelemetry(options: StartTelemetryOptions): Promise<Telemetry> {
  if (!options.endpoint) return disabledTelemetry;
  if (activeTracerOrUndefined()) throw new Error("telemetry is already started in this process");
  const url = otlpTracesUrl(options.endpoint);
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import("@opentelemetry/sdk-trace-node"),
    import("@opentelemetry/exporter-trace-otlp-http"),
    import("@opentelemetry/resources"),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, "service.version": GATHERING_VERSION }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url, headers: options.headers ?? {} }))],
  });
  diag.setLogger(diagnosticsTo(options.logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  provider.register();
  setActiveTracer(provider.getTracer("gathering", GATHERING_VERSION));
  setQueryObserver(databaseQueryObserver);
  // The URL may carry credentials, and the headers usually do: name only where spans go.
  options.logger.info({ serviceName: options.serviceName, collector: new URL(url).origin }, "exporting traces over OTLP");

  let stopping: Promise<void> | undefined;
  return {
    isExporting: true,
    flush: () => provider.forceFlush(),
    shutdown: () => {
      stopping ??= (async () => {
        setQueryObserver(undefined);
        setActiveTracer(undefined);
        try {
          await provider.shutdown();
        } finally {
          trace.disable();
          context.disable();
          propagation.disable();
          diag.disable();
        }
      })();
      return stopping;
    },
  };
}
