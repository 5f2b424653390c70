"use client";
/**
 * A definition's problems, from the validator in the browser or from the server's VALIDATION_FAILED
 * (`details.problems`), listed with the node each belongs to; a node's name selects it in the editor.
 */
import type { DefinitionProblem } from "@gathering/core/browser";
import type { ApiError } from "~/trpc/errors";
import styles from "./pipelines.module.css";

function isProblem(value: unknown): value is DefinitionProblem {
  if (typeof value !== "object" || value === null) return false;
  const { path, message, nodeId } = value as Record<string, unknown>;
  return typeof path === "string" && typeof message === "string" && (nodeId === undefined || typeof nodeId === "string");
}

export function problemsOfError(error: ApiError | null | undefined): DefinitionProblem[] {
  if (error?.data?.appCode !== "VALIDATION_FAILED") return [];
  const details = error.data.details as { problems?: unknown } | null | undefined;
  return Array.isArray(details?.problems) ? details.problems.filter(isProblem) : [];
}

/** Problems grouped by node: what a node's badge counts and its panel lists. */
export function problemsByNode(problems: readonly DefinitionProblem[]): Map<string, DefinitionProblem[]> {
  const byNode = new Map<string, DefinitionProblem[]>();
  for (const problem of problems) {
    if (!problem.nodeId) continue;
    byNode.set(problem.nodeId, [...(byNode.get(problem.nodeId) ?? []), problem]);
  }
  return byNode;
}

interface ProblemsListProps {
  problems: readonly DefinitionProblem[];
  title: string;
  onSelectNode?: (nodeId: string) => void;
}

export function ProblemsList({ problems, title, onSelectNode }: ProblemsListProps) {
  return (
    <section className={styles.problems} aria-label={title}>
      <h3>
        {title} <span className="badge badge-bad">{problems.length}</span>
      </h3>
      <ul>
        {problems.map((problem, index) => (
          // Problems have no id of their own; the same message can appear at two paths.
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is rebuilt as a whole on each check.
          <li key={`${problem.path}-${index}`} data-testid="problem">
            {problem.nodeId ? (
              onSelectNode ? (
                <button type="button" className={styles.problemNode} onClick={() => onSelectNode(problem.nodeId ?? "")}>
                  {problem.nodeId}
                </button>
              ) : (
                <span className={styles.problemNode}>{problem.nodeId}</span>
              )
            ) : null}
            <span>{problem.message}</span>
            {problem.path ? <code className={styles.problemPath}>{problem.path}</code> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
