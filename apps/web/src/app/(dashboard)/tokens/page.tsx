/** /tokens: API tokens of the current project for the SDK and CLI. */
import type { Metadata } from "next";
import { TokensView } from "~/components/tokens/tokens-view";

export const metadata: Metadata = { title: "API tokens" };

export default function TokensPage() {
  return (
    <>
      <header className="page-header">
        <h1>API tokens</h1>
        <p className="muted">For scripts, the SDK and the CLI. Each token works in one project, with one role.</p>
      </header>
      <TokensView />
    </>
  );
}
