/** API tokens end to end: made in the dashboard, used through the SDK (one project only), revoked in the dashboard. */
import path from "node:path";
import { createGatheringClient, getErrorCode, TRPCClientError } from "@gathering/client";
import { screenshotsDir } from "../support/paths";
import { currentProjectId, expect, owner, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

/** The HTTP status the SDK was answered with when a call fails; "succeeded" when it did not fail. */
async function failedStatusOf(call: Promise<unknown>): Promise<number | string> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const response = (error.meta as { response?: Response } | undefined)?.response;
    return response?.status ?? `no response: ${error.message}`;
  }
  return "succeeded";
}

test("a token made in the dashboard works with the SDK for its project only, until it is revoked there", async ({ page, baseURL }) => {
  test.slow();
  const problems = collectPageProblems(page);
  if (!baseURL) throw new Error("the ui project needs use.baseURL");
  await page.goto("/tokens");
  const projectId = await currentProjectId(page);
  const tokenName = `CI deploy ${uniqueSuffix()}`;

  await page.getByLabel("Token name").fill(tokenName);
  await page.getByLabel("Role").selectOption({ label: "Member" });
  await page.getByRole("button", { name: "Create token" }).click();

  await expect(page.getByText("It will not be shown again.")).toBeVisible();
  const tokenField = page.getByLabel("New API token");
  await expect(tokenField).toHaveValue(/^gat_[A-Za-z0-9_-]{20,}$/);
  const token = await tokenField.inputValue();
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByText("Copied to the clipboard.")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

  const row = page.getByRole("row", { name: new RegExp(tokenName) });
  await expect(row).toContainText(`${token.slice(0, 10)}…`);
  await expect(row).toContainText("Active");
  await page.screenshot({ path: path.join(screenshotsDir, "tokens.png"), fullPage: true });

  await test.step("the SDK acts as the owner, in the token's project only", async () => {
    const gathering = createGatheringClient({ url: baseURL, token });
    const me = await gathering.auth.me.query();
    expect(me.email).toBe(owner.email);
    expect(me.source).toBe("token");
    expect(me.tokenScope).toMatchObject({ projectId, role: "member" });
    const projects = await gathering.projects.list.query();
    expect(projects.map((project) => project.id)).toEqual([projectId]);
  });

  await test.step("once dismissed or reloaded, the full token is nowhere on the page", async () => {
    await page.getByRole("button", { name: "I have copied it" }).click();
    await expect(page.getByLabel("New API token")).toHaveCount(0);
    await page.reload();
    await expect(row).toBeVisible();
    expect(await page.content()).not.toContain(token);
  });

  await test.step("revoking asks first, then the SDK is refused", async () => {
    await row.getByRole("button", { name: `Revoke ${tokenName}` }).click();
    const question = page.getByRole("alertdialog", { name: `Revoke ${tokenName}` });
    await expect(question).toContainText(/Revoke “CI deploy/);
    await question.getByRole("button", { name: "Revoke token" }).click();
    await expect(row).toContainText("Revoked");
    await expect(row.getByRole("button", { name: `Revoke ${tokenName}` })).toHaveCount(0);

    const gathering = createGatheringClient({ url: baseURL, token });
    // 401 Unauthorized: the token is refused outright, not treated as an anonymous caller.
    expect(await failedStatusOf(gathering.auth.me.query())).toBe(401);
    expect(await failedStatusOf(gathering.projects.list.query())).toBe(401);
    const refusal = await gathering.auth.me.query().catch((error: unknown) => error);
    expect(getErrorCode(refusal)).toBe("UNAUTHORIZED");
  });
  expect(problems).toEqual([]);
});
