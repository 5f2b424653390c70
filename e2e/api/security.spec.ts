/** Browser-facing protections: security headers on pages, and cookie-authenticated writes only from our own origin, as JSON. */
import { expect, test } from "@playwright/test";

test("pages carry a nonce-based CSP without inline scripts, and the other security headers", async ({ request }) => {
  const response = await request.get("/sign-in");
  expect(response.status()).toBe(200);
  const headers = response.headers();
  const policy = headers["content-security-policy"] ?? "";
  const scriptSources = policy.split(";").find((directive) => directive.trim().startsWith("script-src")) ?? "";
  expect(scriptSources).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSources).not.toContain("'unsafe-inline'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("object-src 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Each response gets its own nonce, and the page's scripts carry it.
  const nonce = /'nonce-([^']+)'/.exec(scriptSources)?.[1] ?? "";
  expect(await response.text()).toContain(`nonce="${nonce}"`);
  const again = await request.get("/sign-in");
  expect(again.headers()["content-security-policy"]).not.toBe(policy);
});

test("a mutation that is not JSON is refused before anything runs", async ({ request }) => {
  const response = await request.post("/api/trpc/auth.signUp", {
    headers: { "content-type": "application/x-www-form-urlencoded" },
    data: "email=a%40example.com&name=A&password=correct+horse+battery",
  });
  expect(response.status()).toBe(415);
});
