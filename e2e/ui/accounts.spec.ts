/** Accounts in a real browser: the first sign-up, signing in and out, and what the forms say when something is wrong. */
import path from "node:path";
import { screenshotsDir } from "../support/paths";
import { alertsOf, expect, fillSignIn, fillSignUp, overviewHeading, owner, signedOut, signIn, test, uniqueSuffix } from "./account";
import { collectPageProblems } from "./page-problems";

const SESSION_COOKIE = "next-auth.session-token";

test.use({ storageState: signedOut });

test("the first visitor signs up and lands on the overview as owner of the Default project", async ({ page }) => {
  const problems = collectPageProblems(page);
  await page.goto("/");
  await expect(page, "the dashboard sends visitors to sign in").toHaveURL("/sign-in");

  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL("/sign-up");
  await expect(page.getByText("The first account of a new installation becomes the owner")).toBeVisible();
  await fillSignUp(page, owner);

  await expect(overviewHeading(page)).toBeVisible();
  await expect(page).toHaveURL("/");
  await expect(page.getByTestId("project-name")).toHaveText("Default project");
  await expect(page.getByText("Your role: Owner").first()).toBeVisible();
  await expect(page.getByRole("button", { name: `Account: ${owner.name}` })).toBeVisible();
  expect(problems).toEqual([]);
});

test("a wrong password is refused with a message, and the form keeps the email", async ({ page, ownerStorageState }) => {
  expect(ownerStorageState.cookies.length, "the owner exists").toBeGreaterThan(0);
  const problems = collectPageProblems(page, { expectedFailures: [{ path: "/api/auth/callback/credentials", status: 401 }] });
  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: path.join(screenshotsDir, "sign-in.png"), fullPage: true });

  await fillSignIn(page, { email: owner.email, password: "not the right passphrase" });

  await expect(alertsOf(page)).toHaveText("Wrong email or password");
  await expect(page).toHaveURL("/sign-in");
  await expect(page.getByLabel("Email")).toHaveValue(owner.email);
  expect((await page.context().cookies()).map((cookie) => cookie.name)).not.toContain(SESSION_COOKIE);
  expect(problems).toEqual([]);
});

test("signing out ends the session everywhere; signing in again brings the dashboard back", async ({ page, ownerStorageState }) => {
  test.slow();
  expect(ownerStorageState.cookies.length, "the owner exists").toBeGreaterThan(0);
  const problems = collectPageProblems(page);
  // A session of its own: signing out must not end the one the other tests share.
  await signIn(page, owner);
  const sessionCookie = (await page.context().cookies()).find((cookie) => cookie.name === SESSION_COOKIE);
  expect(sessionCookie, "a session cookie after signing in").toBeDefined();

  await page.getByRole("button", { name: `Account: ${owner.name}` }).click();
  await expect(page.getByText(owner.email).first()).toBeVisible();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/sign-in");

  await page.goto("/");
  await expect(page).toHaveURL("/sign-in");

  // The old cookie is dead on the server too, not just deleted from this browser.
  if (sessionCookie) await page.context().addCookies([sessionCookie]);
  await page.goto("/members");
  await expect(page).toHaveURL("/sign-in");

  await fillSignIn(page, owner);
  await expect(overviewHeading(page)).toBeVisible();
  await expect(page).toHaveURL("/");
  expect(problems).toEqual([]);
});

test("sign-up says what is wrong: a short password, an invalid email, no invitation", async ({ page, ownerStorageState }) => {
  expect(ownerStorageState.cookies.length, "the owner exists, so sign-up needs an invitation").toBeGreaterThan(0);
  const problems = collectPageProblems(page, {
    expectedFailures: [
      { path: "/api/trpc/auth.signUp", status: 400 },
      { path: "/api/trpc/auth.signUp", status: 403 },
    ],
  });
  await page.goto("/sign-up");
  const stranger = { name: "Sam Stranger", email: "not-an-email", password: "too short" };

  await fillSignUp(page, stranger);
  await expect(page.getByText("Use at least 12 characters")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");

  await fillSignUp(page, { ...stranger, password: "a long enough passphrase" });
  await expect(page.getByText("Enter a valid email address")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Use at least 12 characters")).toHaveCount(0);

  await fillSignUp(page, { ...stranger, email: `stranger-${uniqueSuffix()}@example.com`, password: "a long enough passphrase" });
  await expect(alertsOf(page)).toContainText("Sign-up needs an invitation link");
  await expect(alertsOf(page)).toContainText("Ask an admin of a project for an invitation link");
  await expect(page).toHaveURL("/sign-up");
  expect(problems).toEqual([]);
});
