"use client";
/** /circles/new: the circle form for the current project (members and above). */
import { ProjectScope } from "~/components/current-project";
import { hasRole } from "~/components/format";
import { CircleForm } from "./circle-form";

export function NewCircleView() {
  return (
    <ProjectScope>
      {(project) =>
        hasRole(project.role, "member") ? (
          <CircleForm project={project} />
        ) : (
          <p className="callout callout-info">Members and above can create circles.</p>
        )
      }
    </ProjectScope>
  );
}
