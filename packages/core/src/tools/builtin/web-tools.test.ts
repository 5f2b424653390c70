import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeToolCall, type ToolContext } from "../registry";
import { webTools } from "./web-tools";

const tools = new Map(webTools.map((tool) => [tool.name, tool]));

const page = `<!doctype html>
<html><head><title>Release notes &amp; news</title><style>body { color: red }</style><script>var secret = 1;</script></head>
<body><h1>Version 2</h1><p>The new <a href="/docs/pipelines">pipeline builder</a> is here.</p>
<p>Read <a href="https://example.com/blog">the blog</a> or <a href="mailto:team@example.com">write to us</a>.</p>
<img src="/hero.png" alt="hero"></body></html>`;

let server: Server;
let origin: string;
let received: { method: string | undefined; headers: Record<string, unknown>; body: string }[] = [];

function context(allowedHosts: string[] = [new URL(origin).host]): ToolContext {
  return {
    db: undefined as never,
    projectId: "project-1",
    agentId: "agent-1",
    userId: null,
    sessionId: "session-1",
    idempotencyKey: "session-1:call-7",
    signal: new AbortController().signal,
    logger: pino({ level: "silent" }),
    services: { allowedHosts },
  };
}

function call(name: string, args: Record<string, unknown>, toolContext = context()) {
  return executeToolCall(tools, { id: "call-7", name, arguments: args }, toolContext);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => {
      received.push({ method: request.method, headers: request.headers, body });
      if (request.url === "/page") {
        response.writeHead(200, { "content-type": "text/html; charset=utf-8", "set-cookie": "sid=secret" }).end(page);
      } else if (request.url === "/long") {
        response.writeHead(200, { "content-type": "text/plain" }).end("word ".repeat(5000));
      } else if (request.url === "/image") {
        response.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(64));
      } else if (request.url === "/moved") {
        response.writeHead(301, { location: "/page" }).end();
      } else {
        response.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ created: true, echo: body }));
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("http_request", () => {
  it("sends a POST with an idempotency key and returns status, headers and body", async () => {
    received = [];
    const outcome = await call("http_request", {
      method: "POST",
      url: `${origin}/items`,
      headers: { "content-type": "application/json", "Idempotency-Key": "chosen-by-the-model" },
      body: '{"name":"x"}',
    });
    expect(outcome.isError).toBe(false);
    const result = JSON.parse(outcome.content);
    expect(result).toMatchObject({ status: 201, url: `${origin}/items`, truncated: false });
    expect(JSON.parse(result.body)).toEqual({ created: true, echo: '{"name":"x"}' });
    expect(result.headers["content-type"]).toBe("application/json");
    expect(received[0]?.headers["idempotency-key"]).toBe("session-1:call-7");
  });

  it("sends GET without an idempotency key and keeps cookies out of the result", async () => {
    received = [];
    const outcome = await call("http_request", { url: `${origin}/page` });
    const result = JSON.parse(outcome.content);
    expect(result.status).toBe(200);
    expect(result.body).toContain("<h1>Version 2</h1>");
    expect(result.headers["set-cookie"]).toBeUndefined();
    expect(received[0]?.headers["idempotency-key"]).toBeUndefined();
  });

  it("describes binary content instead of dumping it", async () => {
    const result = JSON.parse((await call("http_request", { url: `${origin}/image` })).content);
    expect(result).toMatchObject({ status: 200, body: null, note: expect.stringContaining("image/png") });
  });

  it("is marked as a side-effecting web tool", () => {
    expect(tools.get("http_request")).toMatchObject({ category: "web", sideEffect: true });
    expect(tools.get("web_fetch")).toMatchObject({ category: "web", sideEffect: false });
  });

  it("answers a blocked address with a tool error, not a crash", async () => {
    const outcome = await call("http_request", { method: "GET", url: "http://169.254.169.254/latest/meta-data/" });
    expect(outcome.isError).toBe(true);
    expect(outcome.content).toContain("blocked address");
  });

  it("answers a private host that the settings do not allow with a tool error", async () => {
    received = [];
    const outcome = await call("http_request", { method: "DELETE", url: `${origin}/items/1` }, context([]));
    expect(outcome).toMatchObject({ isError: true, content: expect.stringContaining("blocked address") });
    expect(received).toHaveLength(0);
  });
});

describe("web_fetch", () => {
  it("reads a page as text with its title, and its links when asked", async () => {
    const outcome = await call("web_fetch", { url: `${origin}/moved`, includeLinks: true });
    expect(outcome.isError).toBe(false);
    const result = JSON.parse(outcome.content);
    expect(result).toMatchObject({ status: 200, url: `${origin}/page`, title: "Release notes & news", truncated: false });
    expect(result.text).toContain("The new pipeline builder is here.");
    expect(result.text).not.toContain("secret");
    expect(result.text).not.toContain("/docs/pipelines");
    expect(result.links).toEqual([
      { text: "pipeline builder", url: `${origin}/docs/pipelines` },
      { text: "the blog", url: "https://example.com/blog" },
    ]);
  });

  it("leaves links out unless asked", async () => {
    const result = JSON.parse((await call("web_fetch", { url: `${origin}/page` })).content);
    expect(result.links).toBeUndefined();
  });

  it("caps long text and says so", async () => {
    const result = JSON.parse((await call("web_fetch", { url: `${origin}/long`, maxChars: 1000 })).content);
    expect(result.text).toHaveLength(1000);
    expect(result.truncated).toBe(true);
  });

  it("answers a blocked address with a tool error", async () => {
    const outcome = await call("web_fetch", { url: "http://[::ffff:127.0.0.1]/" });
    expect(outcome).toMatchObject({ isError: true, content: expect.stringContaining("blocked address") });
  });
});
