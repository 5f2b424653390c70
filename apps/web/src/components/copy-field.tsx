"use client";
/** A secret or link shown once: read-only, selectable, with a copy button that says whether it worked. */
import { useEffect, useId, useRef, useState } from "react";

type CopyStatus = "idle" | "copied" | "failed";

export function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [status, setStatus] = useState<CopyStatus>("idle");

  useEffect(() => {
    if (status !== "copied") return;
    const timer = setTimeout(() => setStatus("idle"), 4_000);
    return () => clearTimeout(timer);
  }, [status]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setStatus("copied");
    } catch {
      // Without clipboard access (permissions, old browsers) the text is selected for a manual copy.
      inputRef.current?.select();
      setStatus("failed");
    }
  }

  return (
    <div className="field copy-field">
      <label htmlFor={id}>{label}</label>
      <div className="copy-row">
        <input
          ref={inputRef}
          id={id}
          className="mono"
          value={value}
          readOnly
          spellCheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button button-secondary" onClick={copy}>
          {status === "copied" ? "Copied" : "Copy"}
        </button>
      </div>
      <p className="field-hint" aria-live="polite">
        {status === "copied"
          ? "Copied to the clipboard."
          : status === "failed"
            ? "Could not copy; the text is selected, press Ctrl+C."
            : ""}
      </p>
    </div>
  );
}
