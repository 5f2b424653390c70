/** Every dashboard page needs a signed-in user; others go to the sign-in page. The shell gets the account up front. */

import { serverEnv } from "@gathering/server";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { type Account, AppShell } from "~/components/app-shell";
import { DISPLAY_COOKIE, parseDisplayFormat, runtimeDisplayFormat } from "~/components/display-format";
import { DisplayFormatProvider } from "~/components/display-format-provider";
import { getServerAccount, getServerProject } from "~/server/prefetch";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  // Test hook: lets the e2e suite see what a page that fails on the server looks like, and its retry.
  if (serverEnv().GATHERING_TEST_HOOKS === "1" && (await headers()).get("x-gathering-test-fail") === "render") {
    throw new Error("test hook: the dashboard layout failed on purpose");
  }
  // Signed out, or a valid cookie for an account that no longer exists: as good as no session.
  const account: Account | null = await getServerAccount();
  if (!account) redirect("/sign-in");
  // The page renders for this project on the server already, so its data can be in the first HTML.
  const project = await getServerProject();
  // Dates and numbers in the reader's locale and zone from the first HTML on (their own when the browser said so).
  const displayFormat = parseDisplayFormat((await cookies()).get(DISPLAY_COOKIE)?.value) ?? runtimeDisplayFormat();
  return (
    <DisplayFormatProvider serverFormat={displayFormat}>
      <AppShell account={account} initialProjectId={project?.id ?? null}>
        {children}
      </AppShell>
    </DisplayFormatProvider>
  );
}
