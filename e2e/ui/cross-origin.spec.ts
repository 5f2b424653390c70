/** A signed-in browser's cookie rides along on requests from any site: writes from another origin must be refused. */
import { expect, test } from "./account";

test("a cookie-authenticated mutation from another origin is refused; from our own it works", async ({ page, baseURL }) => {
  await page.goto("/");
  const name = `csrf-check-${Date.now()}`;
  const forged = await page.request.post("/api/trpc/projects.create", {
    headers: { "content-type": "application/json", origin: "https://evil.example" },
    data: { json: { name } },
  });
  expect(forged.status()).toBe(403);
  const refusal = (await forged.json()) as { error?: { json?: { data?: { appCode?: string } } } };
  expect(refusal.error?.json?.data?.appCode).toBe("FORBIDDEN");

  const list = async () => JSON.stringify(await (await page.request.get("/api/trpc/projects.list")).json());
  expect(await list()).not.toContain(name);
  // The same request from our own origin succeeds, so the refusal above was about the origin alone.
  const genuine = await page.request.post("/api/trpc/projects.create", {
    headers: { "content-type": "application/json", origin: new URL(baseURL ?? "").origin },
    data: { json: { name } },
  });
  expect(genuine.status()).toBe(200);
  expect(await list()).toContain(name);
});
