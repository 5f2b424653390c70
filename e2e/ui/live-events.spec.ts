/** Live events over SSE through the SDK: changes arrive as they happen, a reconnect resumes exactly, and revoking the token ends the stream. */
import { createGatheringClient } from "@gathering/client";
import { expect, test } from "./account";

type TrpcResult<T> = { result: { data: { json: T } } };

test("the SDK receives a project's events live, resumes after the last one, and is cut off when its token is revoked", async ({
  page,
  baseURL,
}) => {
  test.slow();
  await page.goto("/");
  const url = new URL(baseURL ?? "").origin;
  const post = async <T>(path: string, input: unknown) => {
    const response = await page.request.post(`/api/trpc/${path}`, {
      headers: { "content-type": "application/json", origin: url },
      data: { json: input },
    });
    expect(response.status(), await response.text()).toBe(200);
    return ((await response.json()) as TrpcResult<T>).result.data.json;
  };
  const me = (await (await page.request.get("/api/trpc/auth.me")).json()) as TrpcResult<{ projects: Array<{ id: string; role: string }> }>;
  const projectId = me.result.data.json.projects.find((project) => project.role === "owner")?.id ?? "";
  const { token, id: tokenId } = await post<{ token: string; id: string }>("tokens.create", {
    projectId,
    name: `events-${Date.now()}`,
    role: "admin",
  });
  const gathering = createGatheringClient({ url, token });

  const received: Array<{ id: number; topic: string; payload: unknown }> = [];
  let isStopped = false;
  const subscription = gathering.events.subscribe.subscribe(
    { projectId, topics: ["settings.changed"] },
    {
      onData: (event) => received.push({ id: event.data.id, topic: event.data.topic, payload: event.data.payload }),
      onError: () => {
        isStopped = true;
      },
      onComplete: () => {
        isStopped = true;
      },
    },
  );
  await page.waitForTimeout(500);
  await gathering.settings.update.mutate({ projectId, settings: { openai: { defaultModel: "model-one" } } });
  await gathering.settings.update.mutate({ projectId, settings: { openai: { defaultModel: "model-two" } } });
  await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);
  subscription.unsubscribe();

  // A reconnect with the last id seen gets exactly what happened since, in order.
  const seen = received.at(-1)?.id ?? 0;
  await gathering.settings.update.mutate({ projectId, settings: { openai: { defaultModel: "model-three" } } });
  const resumed: number[] = [];
  const again = gathering.events.subscribe.subscribe(
    { projectId, topics: ["settings.changed"], lastEventId: String(seen) },
    {
      onData: (event) => resumed.push(event.data.id),
      onError: () => {
        isStopped = true;
      },
      onComplete: () => {
        isStopped = true;
      },
    },
  );
  await expect.poll(() => resumed.length, { timeout: 10_000 }).toBe(1);
  expect(resumed[0]).toBeGreaterThan(seen);

  // Revoking the token in the dashboard's API ends the open stream within seconds.
  isStopped = false;
  await post("tokens.revoke", { projectId, tokenId });
  await expect.poll(() => isStopped, { timeout: 15_000 }).toBe(true);
  again.unsubscribe();
});
