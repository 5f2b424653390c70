/** /settings: the current project's name, provider API keys and model defaults. */
import type { Metadata } from "next";
import { SettingsView } from "~/components/settings/settings-view";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <header className="page-header">
        <h1>Settings</h1>
        <p className="muted">The project’s name, and how its agents reach model providers.</p>
      </header>
      <SettingsView />
    </>
  );
}
