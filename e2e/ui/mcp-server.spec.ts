/**
 * GatheRing as an MCP server, as an MCP client meets it: the SDK's client lists and calls the tools at
 * /api/mcp with an API token (ask_agent runs a real agent on the offline model), and is refused without
 * a token, with a made-up one and with a revoked one; pipelines are listed, run once per idempotency key
 * and followed to their end. It lives with the ui specs, which run after accounts.spec.ts: signing up
 * the owner for its token in the api project would make the first visitor's sign-up there not the first.
 */
import { createGatheringClient } from "@gathering/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, test } from "@playwright/test";
import { apiTokenFor } from "../support/suite-app";
import { owner, uniqueSuffix } from "./account";

function baseUrlOf(baseURL: string | undefined): string {
  if (!baseURL) throw new Error("the api project needs use.baseURL");
  return baseURL;
}

async function mcpClient(baseUrl: string, token?: string): Promise<Client> {
  const client = new Client({ name: "gathering-e2e", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL("/api/mcp", baseUrl), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  await client.connect(transport);
  return client;
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

async function postInitialize(baseUrl: string, authorization?: string): Promise<Response> {
  return fetch(`${baseUrl}/api/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify(initialize),
  });
}

test("an MCP client lists GatheRing's tools and asks an agent with an API token", async ({ baseURL }) => {
  const baseUrl = baseUrlOf(baseURL);
  const { token, projectId } = await apiTokenFor(baseUrl, owner, "member");
  const agentName = `Echo ${uniqueSuffix()}`;
  await createGatheringClient({ url: baseUrl, token }).agents.create.mutate({
    projectId,
    name: agentName,
    role: "Answers through MCP",
    model: { provider: "local", model: "local-echo" },
  });

  const client = await mcpClient(baseUrl, token);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["list_agents", "ask_agent"]));
    const ask = tools.find((tool) => tool.name === "ask_agent");
    expect(ask?.inputSchema).toMatchObject({ type: "object", required: ["agent", "question"] });

    const listed = await client.callTool({ name: "list_agents", arguments: { search: agentName } });
    expect(listed.isError).toBeFalsy();
    expect(listed.structuredContent).toMatchObject({ agents: [expect.objectContaining({ name: agentName, model: "local/local-echo" })] });

    const answered = await client.callTool({
      name: "ask_agent",
      arguments: { agent: agentName, question: "What is the answer to MCP-7?" },
    });
    expect(answered.isError).toBeFalsy();
    const result = answered.structuredContent as { agent: string; status: string; answer: string; sessionId: string };
    expect(result).toMatchObject({ agent: agentName, status: "answered" });
    expect(result.answer).toContain("MCP-7");
    // The question became a chat of the token's user, visible through the API like any other.
    const session = await createGatheringClient({ url: baseUrl, token }).agents.sessions.get.query({
      projectId,
      sessionId: result.sessionId,
    });
    expect(session.messages.map((message) => message.role)).toEqual(["user", "assistant"]);

    const unknown = await client.callTool({ name: "ask_agent", arguments: { agent: "nobody-by-this-name", question: "hello?" } });
    expect(unknown.isError).toBe(true);
    expect(JSON.stringify(unknown.content)).toContain('There is no agent named \\"nobody-by-this-name\\"');
  } finally {
    await client.close();
  }
});

test("an MCP client runs a pipeline and follows it to its end", async ({ baseURL }) => {
  const baseUrl = baseUrlOf(baseURL);
  const { token, projectId } = await apiTokenFor(baseUrl, owner, "member");
  const name = `Shout ${uniqueSuffix()}`;
  await createGatheringClient({ url: baseUrl, token }).pipelines.create.mutate({
    projectId,
    name,
    definition: {
      inputs: [{ name: "word", type: "string", required: true }],
      nodes: [
        { id: "shout", type: "transform", config: { mapping: { loud: "join('', [inputs.word, '!'])" } } },
        { id: "pause", type: "delay", config: { ms: 200 } },
      ],
      edges: [{ from: "shout", to: "pause" }],
    },
  });
  const client = await mcpClient(baseUrl, token);
  try {
    const listed = await client.callTool({ name: "list_pipelines", arguments: { search: name } });
    expect(listed.structuredContent).toMatchObject({ pipelines: [expect.objectContaining({ name, version: 1 })] });
    const started = await client.callTool({
      name: "run_pipeline",
      arguments: { pipeline: name, inputs: { word: "hey" }, idempotencyKey: `e2e-${name}` },
    });
    expect(started.isError).toBeFalsy();
    const run = started.structuredContent as { runId: string; status: string };
    // A retried request with the same key gets the same run.
    const repeated = await client.callTool({
      name: "run_pipeline",
      arguments: { pipeline: name, inputs: { word: "hey" }, idempotencyKey: `e2e-${name}` },
    });
    expect((repeated.structuredContent as { runId: string }).runId).toBe(run.runId);
    await expect
      .poll(
        async () =>
          ((await client.callTool({ name: "pipeline_status", arguments: { runId: run.runId } })).structuredContent as { status: string })
            .status,
        { timeout: 20_000 },
      )
      .toBe("succeeded");
    const status = (await client.callTool({ name: "pipeline_status", arguments: { runId: run.runId } })).structuredContent as {
      nodes: Array<{ id: string; status: string }>;
    };
    expect(status.nodes.map((node) => [node.id, node.status]).sort()).toEqual([
      ["pause", "succeeded"],
      ["shout", "succeeded"],
    ]);
    const bad = await client.callTool({ name: "run_pipeline", arguments: { pipeline: name, inputs: {} } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain("Invalid run inputs");
  } finally {
    await client.close();
  }
});

test("/api/mcp refuses a client without a token, with an unknown token and with a revoked one", async ({ baseURL }) => {
  const baseUrl = baseUrlOf(baseURL);
  await expect(mcpClient(baseUrl)).rejects.toThrow(/401|token/i);
  const anonymous = await postInitialize(baseUrl);
  expect(anonymous.status).toBe(401);
  expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
  expect(await anonymous.json()).toMatchObject({ error: { message: expect.stringContaining("API token") } });

  const madeUp = await postInitialize(baseUrl, "Bearer gat_thisTokenWasNeverIssuedByTheServer0000000");
  expect(madeUp.status).toBe(401);

  const admin = await apiTokenFor(baseUrl, owner, "admin");
  const doomed = await apiTokenFor(baseUrl, owner, "member");
  // Works before it is revoked, so the refusal below is the revocation's doing.
  expect((await postInitialize(baseUrl, `Bearer ${doomed.token}`)).status).toBe(200);
  const gathering = createGatheringClient({ url: baseUrl, token: admin.token });
  const tokens = await gathering.tokens.list.query({ projectId: doomed.projectId });
  const doomedId = tokens.find((entry) => doomed.token.startsWith(entry.prefix) && !entry.revokedAt)?.id;
  if (!doomedId) throw new Error("the new token is not listed");
  await gathering.tokens.revoke.mutate({ projectId: doomed.projectId, tokenId: doomedId });
  const revoked = await postInitialize(baseUrl, `Bearer ${doomed.token}`);
  expect(revoked.status).toBe(401);
  await expect(mcpClient(baseUrl, doomed.token)).rejects.toThrow(/401|revoked/i);
});
