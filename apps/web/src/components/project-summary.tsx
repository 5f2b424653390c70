"use client";
/** The current project on the overview: its name, the user's role in it, and where to go next. */
import Link from "next/link";
import { ProjectScope } from "./current-project";
import { roleLabels } from "./format";

export function ProjectSummary() {
  return (
    <ProjectScope>
      {(project) => (
        <section className="panel project-summary" aria-labelledby="project-summary-heading">
          <div>
            <h2 id="project-summary-heading">Current project</h2>
            <p className="stat" data-testid="project-name">
              {project.name}
            </p>
            <p className="muted">Your role: {roleLabels[project.role]}</p>
          </div>
          <ul className="quick-links">
            <li>
              <Link href="/members">Invite people</Link>
            </li>
            <li>
              <Link href="/tokens">Create an API token</Link>
            </li>
            <li>
              <Link href="/settings">Add provider keys</Link>
            </li>
          </ul>
        </section>
      )}
    </ProjectScope>
  );
}
