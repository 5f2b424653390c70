/**
 * Serves the Next.js dashboard and API from this process with Node's http server, so shutdown is in
 * our hands: stop accepting, let in-flight requests finish, then close what is left.
 */
import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Logger } from "@gathering/core";
import next from "next";

export interface WebServerHandle {
  url: string;
  port: number;
  /** Stops accepting connections and resolves when in-flight requests have finished (or the grace period ran out). */
  close: (graceMs: number) => Promise<void>;
}

interface WebServicesGlobal {
  __gatheringWebServices?: { database: { close: () => Promise<void> } };
}

export async function startWebServer(options: {
  rootDir: string;
  host: string;
  port: number;
  isDev: boolean;
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
    handle(request, response).catch((error: unknown) => {
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
      await (globalThis as WebServicesGlobal).__gatheringWebServices?.database.close();
      await app.close();
    },
  };
}
