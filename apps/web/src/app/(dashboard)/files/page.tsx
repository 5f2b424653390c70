/** /files: the project's workspace, which people and agents share. */
import type { Metadata } from "next";
import { FilesView } from "~/components/files/files-view";

export const metadata: Metadata = { title: "Files" };

export default function FilesPage() {
  return (
    <>
      <header className="page-header">
        <h1>Files</h1>
        <p className="muted">The project's workspace: agents read and write here with their file tools, and so can you.</p>
      </header>
      <FilesView />
    </>
  );
}
