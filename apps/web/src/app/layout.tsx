/** The document around every page: metadata, the stylesheet and the tRPC/React Query client. */
import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "~/trpc/react";
import "./tailwind.css";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "GatheRing", template: "%s · GatheRing" },
  description: "Collaborative multi-agent AI: agents, circles, pipelines and schedules",
};

// Every page is rendered per request: the Content-Security-Policy nonce (see proxy.ts) differs each time.
export const dynamic = "force-dynamic";

export const viewport: Viewport = { colorScheme: "dark", themeColor: "#07080f" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
