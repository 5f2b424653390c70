"use client";
/**
 * The project's tools (built-in, then its MCP servers') by category: what each does, how it behaves (side effect, approval, timeout, output
 * cap) and its input fields read from the JSON Schema the model sees, with that schema itself one click
 * away. The list is small and fixed, so the search filters in the browser.
 */
import { useId, useState } from "react";
import { EmptyState } from "~/components/feedback";
import { formatNumber } from "~/components/format";
import { fieldsOf, type SchemaField } from "./schema";
import { categoryLabels, formatDuration, type Tool } from "./shared";
import styles from "./tools.module.css";

export function ToolCatalog({ tools, onTry }: { tools: Tool[]; onTry: ((tool: Tool) => void) | null }) {
  const searchId = useId();
  const [search, setSearch] = useState("");
  const query = search.trim().toLowerCase();
  const matching = query
    ? tools.filter((tool) => tool.name.toLowerCase().includes(query) || tool.description.toLowerCase().includes(query))
    : tools;
  // The API sorts by category, then name: grouping keeps that order.
  const groups = new Map<Tool["category"], Tool[]>();
  for (const tool of matching) groups.set(tool.category, [...(groups.get(tool.category) ?? []), tool]);

  return (
    <section className="section" aria-labelledby="catalog-heading">
      <div className="section-header">
        <h2 id="catalog-heading">Built-in tools</h2>
        <p className="muted">
          {matching.length === tools.length ? `${tools.length} tools` : `${matching.length} of ${tools.length} tools`}
        </p>
      </div>
      <div className={styles.search}>
        <label htmlFor={searchId} className="visually-hidden">
          Search tools
        </label>
        <input
          id={searchId}
          type="search"
          placeholder="Search by name or description"
          value={search}
          maxLength={100}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {matching.length === 0 ? (
        <EmptyState title="No tools match">Try another word, such as “file” or “time”.</EmptyState>
      ) : (
        [...groups].map(([category, categoryTools]) => (
          <section key={category} className={styles.category} aria-labelledby={`category-${category}`}>
            <h3 id={`category-${category}`} className={styles.categoryHeading}>
              {categoryLabels[category]}
            </h3>
            <div className={styles.toolGrid}>
              {categoryTools.map((tool) => (
                <ToolCard key={tool.name} tool={tool} onTry={onTry} />
              ))}
            </div>
          </section>
        ))
      )}
    </section>
  );
}

function ToolCard({ tool, onTry }: { tool: Tool; onTry: ((tool: Tool) => void) | null }) {
  const headingId = useId();
  const fields = fieldsOf(tool.inputSchema);
  return (
    <article className={`panel ${styles.tool}`} aria-labelledby={headingId} data-testid="tool-card">
      <div className={styles.toolHeader}>
        <h4 id={headingId} className={`mono ${styles.toolName}`}>
          {tool.name}
        </h4>
        {onTry ? (
          <button type="button" className="button button-secondary button-small" onClick={() => onTry(tool)}>
            {/* The name is "Try <tool>" and contains what the button shows (axe: label-content-name-mismatch). */}
            Try<span className="visually-hidden"> {tool.name}</span>
          </button>
        ) : null}
      </div>
      <ul className={styles.flags} aria-label="Behaviour">
        {tool.sideEffect ? (
          <li className="badge badge-warn" title="Changes something outside the run: files, memory or another server">
            Side effect
          </li>
        ) : (
          <li className="badge badge-quiet">Read only</li>
        )}
        {tool.requiresApproval ? (
          <li className="badge badge-bad" title="A person approves each call before it runs">
            Needs approval
          </li>
        ) : null}
        <li className="badge badge-quiet" title="The call fails when it takes longer">
          Timeout {formatDuration(tool.timeoutMs)}
        </li>
        <li className="badge badge-quiet" title="Longer output is cut off">
          Output up to {formatNumber(tool.maxOutputChars)} characters
        </li>
      </ul>
      <p className={styles.description}>{tool.description}</p>
      {fields.length === 0 ? <p className="muted">No input.</p> : <FieldsTable toolName={tool.name} fields={fields} />}
      <details className={styles.rawSchema}>
        <summary>JSON Schema</summary>
        <pre className={styles.code}>{JSON.stringify(tool.inputSchema, null, 2)}</pre>
      </details>
    </article>
  );
}

function FieldsTable({ toolName, fields }: { toolName: string; fields: SchemaField[] }) {
  return (
    <div className="table-wrap">
      <table className={`table ${styles.fields}`} aria-label={`Input of ${toolName}`}>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((field) => (
            <tr key={field.name}>
              <th scope="row" className={styles.fieldName}>
                <span className="mono">{field.name}</span>
                {field.isRequired ? <span className={styles.required}> required</span> : null}
              </th>
              <td className={styles.fieldType}>{field.type}</td>
              <td className={styles.fieldDetails}>
                {field.description ? <p>{field.description}</p> : null}
                {field.allowedValues.length > 0 ? (
                  <p className={styles.enumValues}>
                    {field.allowedValues.map((value) => (
                      <code key={value}>{value}</code>
                    ))}
                  </p>
                ) : null}
                {field.defaultValue !== null || field.limits.length > 0 ? (
                  <p className="muted">
                    {[field.defaultValue !== null ? `default ${field.defaultValue}` : null, ...field.limits].filter(Boolean).join(" · ")}
                  </p>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
