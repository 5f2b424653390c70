/**
 * The mock LLM server: one node:http server answering OpenAI, DeepSeek, Anthropic and Ollama under
 * path prefixes, from per-vendor FIFO scripts (echo when nothing matches), recording every request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleAnthropicNotFound, handleMessages } from "./anthropic";
import { isRecord } from "./conversation";
import type { Exchange } from "./exchange";
import { handleChat, handleEmbed, handleOllamaNotFound, handleTags } from "./ollama";
import { handleChatCompletions, handleEmbeddings, handleOpenAiNotFound } from "./openai";
import type { MockLlmServer, MockLlmServerOptions, MockScriptedStep, MockStep, MockVendor, RecordedRequest } from "./types";

const DEFAULT_OLLAMA_MODELS = ["llama3.2:latest", "qwen2.5:latest", "nomic-embed-text:latest"];

type Route = (exchange: Exchange) => void | Promise<void>;

function routeFor(vendor: MockVendor, method: string, route: string, ollamaModels: string[]): Route {
  const post = (handler: Route): Route | undefined => (method === "POST" ? handler : undefined);
  let handler: Route | undefined;
  switch (vendor) {
    case "openai":
      if (route === "/v1/chat/completions") handler = post(handleChatCompletions);
      else if (route === "/v1/embeddings") handler = post(handleEmbeddings);
      return handler ?? handleOpenAiNotFound;
    case "deepseek":
      // DeepSeek documents https://api.deepseek.com as the base URL and also accepts the /v1 prefix.
      if (route === "/chat/completions" || route === "/v1/chat/completions") handler = post(handleChatCompletions);
      return handler ?? handleOpenAiNotFound;
    case "anthropic":
      if (route === "/v1/messages") handler = post(handleMessages);
      return handler ?? handleAnthropicNotFound;
    case "ollama":
      if (route === "/api/chat") handler = post(handleChat);
      else if (route === "/api/embed") handler = post(handleEmbed);
      else if (route === "/api/tags" && method === "GET") handler = (exchange) => handleTags(exchange, ollamaModels);
      return handler ?? handleOllamaNotFound;
  }
}

function isStreamRequest(vendor: MockVendor, route: string, body: unknown): boolean {
  if (!isRecord(body)) return false;
  if (vendor === "ollama") return route === "/api/chat" && body.stream !== false;
  return body.stream === true;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const VENDORS: MockVendor[] = ["openai", "deepseek", "anthropic", "ollama"];

export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const host = options.host ?? "127.0.0.1";
  const ollamaModels = options.ollamaModels ?? DEFAULT_OLLAMA_MODELS;
  const scripts = new Map<MockVendor, MockScriptedStep[]>(VENDORS.map((vendor) => [vendor, []]));
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const waiters: Array<{ count: number; resolve: (recorded: RecordedRequest[]) => void }> = [];

  function takeStep(vendor: MockVendor, model: string | undefined): MockStep {
    const queue = scripts.get(vendor) ?? [];
    const index = queue.findIndex((step) => step.model === undefined || step.model === model);
    if (index === -1) return { type: "echo" };
    const [step] = queue.splice(index, 1);
    return step ?? { type: "echo" };
  }

  function record(request: RecordedRequest) {
    requests.push(request);
    for (const waiter of [...waiters]) {
      if (requests.length < waiter.count) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(requests);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? "/", "http://mock").pathname;
    const method = req.method ?? "GET";
    const [, prefix = "", ...rest] = path.split("/");
    const vendor = VENDORS.find((candidate) => candidate === prefix);
    const rawBody = await readBody(req);
    if (!vendor) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `No mock vendor at ${path}; use /openai, /deepseek, /anthropic or /ollama` }));
      return;
    }
    const route = `/${rest.join("/")}`;
    let body: unknown;
    let isBodyJson = false;
    if (rawBody !== "") {
      try {
        body = JSON.parse(rawBody);
        isBodyJson = true;
      } catch {
        body = rawBody;
      }
    }
    record({
      vendor,
      path,
      model: isRecord(body) && typeof body.model === "string" ? body.model : undefined,
      body,
      headers: { ...req.headers },
      stream: isStreamRequest(vendor, route, body),
    });
    const exchange: Exchange = {
      vendor,
      route,
      method,
      req,
      res,
      body: isBodyJson ? body : undefined,
      isBodyJson,
      takeStep: (model) => takeStep(vendor, model),
      hang: () => {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
      },
    };
    await routeFor(vendor, method, route, ollamaModels)(exchange);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `mock server failure: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url,
    baseUrls: { openai: `${url}/openai/v1`, deepseek: `${url}/deepseek`, anthropic: `${url}/anthropic`, ollama: `${url}/ollama` },
    script(vendor, ...steps) {
      scripts.get(vendor)?.push(...steps);
    },
    requests,
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve(requests);
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    reset() {
      for (const queue of scripts.values()) queue.length = 0;
      requests.length = 0;
    },
    close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
