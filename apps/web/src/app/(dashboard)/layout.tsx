/** Every dashboard page needs a signed-in user; others go to the sign-in page. */
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "~/components/app-shell";
import { getServerCaller } from "~/server/session";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const caller = await getServerCaller();
  if (!caller) redirect("/sign-in");
  return <AppShell>{children}</AppShell>;
}
