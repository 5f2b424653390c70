/**
 * Serves the Next.js dashboard and API from this process with Node's http server, so shutdown is in
 * our hands: stop accepting, let in-flight requests finish, then close what is left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { Logger } from "@gathering/core";
import {
  handleMcpRequest,
  handleTrpcRequest,
  handleWorkspaceRequest,
  MCP_ENDPOINT,
  TRPC_ENDPOINT,
  WORKSPACE_ENDPOINT,
} from "@gathering/server";
import next from "next";

/** The client's address as the app sees it: the socket's, or with a trusted proxy the first X-Forwarded-For hop. */
function clientAddress(request: IncomingMessage, isProxyTrusted: boolean): string {
  const forwarded = request.headers["x-forwarded-for"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
  if (isProxyTrusted && first) return first;
  return request.socket.remoteAddress ?? "unknown";
}

/** Runs a fetch-style handler for a Node request, streaming the response (batch streams, SSE) and aborting when the client goes. */
async function serveWithFetchHandler(handler: (request: Request) => Promise<Response>, request: IncomingMessage, response: ServerResponse) {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const fetchRequest = new Request(`http://${request.headers.host ?? "localhost"}${request.url ?? "/"}`, {
    method: request.method,
    headers,
    body: hasBody ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : undefined,
    signal: controller.signal,
    // @ts-expect-error Node's fetch needs duplex for a streamed body; the DOM typings do not know it.
    duplex: "half",
  });
  const fetchResponse = await handler(fetchRequest);
  const responseHeaders: Record<string, string | string[]> = { "x-content-type-options": "nosniff" };
  fetchResponse.headers.forEach((value, name) => {
    if (name !== "set-cookie") responseHeaders[name] = value;
  });
  const cookies = fetchResponse.headers.getSetCookie();
  if (cookies.length > 0) responseHeaders["set-cookie"] = cookies;
  response.writeHead(fetchResponse.status, responseHeaders);
  if (!fetchResponse.body) {
    response.end();
    return;
  }
  const body = Readable.fromWeb(fetchResponse.body as NodeReadableStream<Uint8Array>);
  body.on("error", () => response.destroy());
  body.pipe(response);
}

export interface WebServerHandle {
  url: string;
  port: number;
  /** Stops accepting connections and resolves when in-flight requests have finished (or the grace period ran out). */
  close: (graceMs: number) => Promise<void>;
}

interface WebServicesGlobal {
  __gatheringWebServices?: { database: { close: () => Promise<void> }; mcp?: { closeAll: () => Promise<void> } };
}

export async function startWebServer(options: {
  rootDir: string;
  host: string;
  port: number;
  isDev: boolean;
  isProxyTrusted: boolean;
  logger: Logger;
}): Promise<WebServerHandle> {
  const app = next({
    dev: options.isDev,
    dir: path.join(options.rootDir, "apps/web"),
    hostname: options.host,
    port: options.port,
    quiet: true,
  });
  await app.prepare();
  const handle = app.getRequestHandler();
  let activeRequests = 0;
  const server: Server = createServer((request, response) => {
    activeRequests += 1;
    response.on("close", () => {
      activeRequests -= 1;
    });
    // Set here from the socket, never taken from the client: rate limits and the audit log rely on it.
    request.headers["x-gathering-client-ip"] = clientAddress(request, options.isProxyTrusted);
    const isTrpc =
      request.url === TRPC_ENDPOINT || request.url?.startsWith(`${TRPC_ENDPOINT}/`) || request.url?.startsWith(`${TRPC_ENDPOINT}?`);
    const isWorkspaceTransfer = request.url?.startsWith(`${WORKSPACE_ENDPOINT}/`);
    const isMcp = request.url === MCP_ENDPOINT || request.url?.startsWith(`${MCP_ENDPOINT}?`);
    const served = isTrpc
      ? serveWithFetchHandler(handleTrpcRequest, request, response)
      : isWorkspaceTransfer
        ? serveWithFetchHandler(handleWorkspaceRequest, request, response)
        : isMcp
          ? serveWithFetchHandler(handleMcpRequest, request, response)
          : handle(request, response);
    served.catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, "request handler failed");
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "Internal server error" }));
    });
  });
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = address && typeof address === "object" ? address.port : options.port;
  const displayHost = options.host === "0.0.0.0" || options.host === "127.0.0.1" ? "localhost" : options.host;

  return {
    url: `http://${displayHost}:${port}`,
    port,
    close: async (graceMs) => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      options.logger.info({ activeRequests }, "web server: no longer accepting connections; finishing in-flight requests");
      const timer = setTimeout(() => {
        options.logger.warn({ activeRequests }, "web server: grace period over; closing remaining connections");
        server.closeAllConnections();
      }, graceMs);
      // Keep-alive connections that finish a request while we wait are closed as soon as they go idle.
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      await closed;
      clearTimeout(timer);
      clearInterval(idleSweep);
      await (globalThis as WebServicesGlobal).__gatheringWebServices?.mcp?.closeAll();
      await (globalThis as WebServicesGlobal).__gatheringWebServices?.database.close();
      await app.close();
    },
  };
}
