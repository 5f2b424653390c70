/** /projects/new: a new project, where "New project" in the sidebar leads before (or without) JavaScript. */
import type { Metadata } from "next";
import { NewProjectForm } from "~/components/project-switcher";

export const metadata: Metadata = { title: "New project" };

export default function NewProjectPage() {
  return (
    <>
      <header className="page-header">
        <h1>New project</h1>
        <p className="muted">You become its owner; invite people from Members once it exists.</p>
      </header>
      <section className="section panel">
        <NewProjectForm />
      </section>
    </>
  );
}
