/**
 * A web instance of the proving ground: the app's tRPC endpoint (`handleTrpcRequest`, the handler the
 * CLI's server serves) on node:http in a process of its own, configured from its environment like the
 * app. It serves no dashboard pages, so a run needs no `next build`; what it answers is the same code
 * path the dashboard and the SDK reach. SIGTERM stops accepting, lets in-flight requests finish (up to
 * 10 s) and closes the database pool, as `gathering start` does. Prints `listening <port>` when ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { handleTrpcRequest, TRPC_ENDPOINT, webServices } from "@gathering/server";
import { answerMemoryRequests } from "./child-memory";

const port = Number(process.argv[2] ?? "0");

async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const controller = new AbortController();
  response.on("close", () => {
    if (!response.writableFinished) controller.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  // As the app's server does: the client address comes from the socket, never from the client.
  headers.set("x-gathering-client-ip", request.socket.remoteAddress ?? "unknown");
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const fetchRequest = new Request(`http://${request.headers.host ?? "localhost"}${request.url ?? "/"}`, {
    method: request.method,
    headers,
    body: hasBody ? (Readable.toWeb(request) as ReadableStream<Uint8Array>) : undefined,
    signal: controller.signal,
    // @ts-expect-error Node's fetch needs duplex for a streamed body; the DOM typings do not know it.
    duplex: "half",
  });
  const fetchResponse = await handleTrpcRequest(fetchRequest);
  const responseHeaders: Record<string, string> = {};
  fetchResponse.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  response.writeHead(fetchResponse.status, responseHeaders);
  if (!fetchResponse.body) {
    response.end();
    return;
  }
  const body = Readable.fromWeb(fetchResponse.body as NodeReadableStream<Uint8Array>);
  body.on("error", () => response.destroy());
  body.pipe(response);
}

const server = createServer((request, response) => {
  const isTrpc = request.url?.startsWith(`${TRPC_ENDPOINT}/`) || request.url?.startsWith(`${TRPC_ENDPOINT}?`);
  if (!isTrpc) {
    response.writeHead(404, { "content-type": "application/json" });
    response.end('{"error":"not found"}');
    return;
  }
  serve(request, response).catch((error: unknown) => {
    console.error("web instance: request handler failed:", error);
    if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
    response.end('{"error":"Internal server error"}');
  });
});
server.keepAliveTimeout = 65_000;

// The services (pool, LISTEN for revocations) before the first request, so `listening` means ready.
await webServices().ready;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
answerMemoryRequests();

let isStopping = false;
process.on("SIGTERM", () => {
  if (isStopping) return;
  isStopping = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 100);
  const grace = setTimeout(() => server.closeAllConnections(), 10_000);
  void closed
    .then(async () => {
      clearInterval(sweep);
      clearTimeout(grace);
      await webServices().database.close();
    })
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("web instance: shutdown failed:", error);
        process.exit(1);
      },
    );
});
