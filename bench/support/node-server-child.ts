/** Child-process entry of node-server.ts: one plain Node http server in the mode its parent chose. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { NodeServerOptions } from "./node-server";

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

const options = JSON.parse(process.argv[2] ?? "null") as NodeServerOptions | null;
if (!options) throw new Error("no options given; this file is started by node-server.ts");

let closeResources = async () => {};

function staticHandler(body: string, contentType: string): Handler {
  const bytes = Buffer.from(body);
  return (_request, response) => {
    response.writeHead(200, { "content-type": contentType, "content-length": bytes.length });
    response.end(bytes);
  };
}

// Imported only in the modes that use them, so the static baseline loads nothing but node:http.
async function databaseHandler(databaseUrl: string, poolSize: number): Promise<Handler> {
  const { createDatabaseClient } = await import("@gathering/db");
  const { getSystemInfo } = await import("@gathering/core");
  const database = createDatabaseClient(databaseUrl, { max: poolSize, applicationName: "gathering-bench" });
  closeResources = () => database.close();
  return async (_request, response) => {
    const body = JSON.stringify(await getSystemInfo(database.db, { databaseKind: "embedded" }));
    response.writeHead(200, { "content-type": "application/json" });
    response.end(body);
  };
}

function toFetchRequest(request: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  // What the app's web server does: the client address comes from the socket, never from the client.
  headers.set("x-gathering-client-ip", request.socket.remoteAddress ?? "unknown");
  return new Request(new URL(request.url ?? "/", `http://${request.headers.host ?? "localhost"}`), { method: request.method, headers });
}

async function routeHandler(routeFile: string): Promise<Handler> {
  // A computed specifier: the route is the web app's business, so its types are not checked from here.
  const route = (await import(pathToFileURL(path.resolve(routeFile)).href)) as { GET?: (request: Request) => Promise<Response> };
  const get = route.GET;
  if (typeof get !== "function") throw new Error(`${routeFile} exports no GET handler`);
  closeResources = async () => {
    await (
      globalThis as { __gatheringWebServices?: { database?: { close: () => Promise<void> } } }
    ).__gatheringWebServices?.database?.close();
  };
  return async (request, response) => {
    const fetchResponse = await get(toFetchRequest(request));
    const body = Buffer.from(await fetchResponse.arrayBuffer());
    response.writeHead(fetchResponse.status, Object.fromEntries(fetchResponse.headers));
    response.end(body);
  };
}

const handler: Handler =
  options.mode === "static"
    ? staticHandler(options.body, options.contentType)
    : options.mode === "db"
      ? await databaseHandler(options.databaseUrl, options.poolSize)
      : await routeHandler(options.routeFile);

let failures = 0;
let inFlight = 0;
const server = createServer((request, response) => {
  inFlight += 1;
  Promise.resolve(handler(request, response))
    .catch((error: unknown) => {
      // The first failure says why; thousands more per second would only bury it.
      failures += 1;
      if (failures === 1) console.error("bench node server: request failed:", error);
      if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "Internal server error" }));
    })
    .finally(() => {
      inFlight -= 1;
    });
});
// Same as the app's server: autocannon keeps its connections open for the whole run.
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  process.send?.({ port: address && typeof address === "object" ? address.port : 0 });
});

process.once("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void (async () => {
    // Requests autocannon left behind are still querying; closing the pool under them only logs errors.
    const deadline = Date.now() + 5_000;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await closeResources().catch(() => {});
    process.exit(0);
  })();
});
