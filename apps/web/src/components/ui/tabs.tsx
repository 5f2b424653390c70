"use client";
/**
 * The dashboard's tab list: one look for every page with tabs, and the keyboard of the WAI-ARIA tabs
 * pattern (only the selected tab is in the Tab order; arrow keys, Home and End move and select). The panels
 * stay the page's own, since some keep their content mounted while hidden; `tabPanelProps` names them.
 */
import type { KeyboardEvent, ReactNode } from "react";
import styles from "./tabs.module.css";

export interface TabItem<TName extends string> {
  name: TName;
  label: ReactNode;
}

function tabId(idPrefix: string, name: string): string {
  return `${idPrefix}-${name}-tab`;
}

/** The attributes of the panel that tab `name` controls. */
export function tabPanelProps(idPrefix: string, name: string, selected: string) {
  return { id: `${idPrefix}-${name}`, role: "tabpanel", "aria-labelledby": tabId(idPrefix, name), hidden: selected !== name } as const;
}

export function TabList<TName extends string>({
  label,
  idPrefix,
  tabs,
  selected,
  onSelect,
}: {
  /** Names the tab list, e.g. "Agent". */
  label: string;
  /** A `useId()` of the page, shared with its panels. */
  idPrefix: string;
  tabs: readonly TabItem<TName>[];
  selected: TName;
  onSelect: (name: TName) => void;
}) {
  function handleKey(event: KeyboardEvent<HTMLButtonElement>, current: TName) {
    const index = tabs.findIndex((tab) => tab.name === current);
    const nextIndex =
      event.key === "ArrowRight"
        ? (index + 1) % tabs.length
        : event.key === "ArrowLeft"
          ? (index - 1 + tabs.length) % tabs.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? tabs.length - 1
              : -1;
    const next = tabs[nextIndex];
    if (!next) return;
    event.preventDefault();
    onSelect(next.name);
    document.getElementById(tabId(idPrefix, next.name))?.focus();
  }

  return (
    <div role="tablist" aria-label={label} className={styles.tabs}>
      {tabs.map((tab) => {
        const isSelected = tab.name === selected;
        return (
          <button
            key={tab.name}
            type="button"
            role="tab"
            id={tabId(idPrefix, tab.name)}
            aria-controls={`${idPrefix}-${tab.name}`}
            aria-selected={isSelected}
            tabIndex={isSelected ? 0 : -1}
            className={styles.tab}
            onClick={() => onSelect(tab.name)}
            onKeyDown={(event) => handleKey(event, tab.name)}
          >
            {tab.label}
          </button>
        );
      })}
    </div>
  );
}
