"use client";
/** A destructive action behind a second, explicit click, so a slip of the mouse or keyboard cannot trigger it. */
import { useEffect, useRef, useState } from "react";

interface ConfirmButtonProps {
  /** The first button's text, e.g. "Remove". */
  label: string;
  /** Names the action for assistive technology, e.g. "Remove Ada Lovelace". */
  accessibleLabel?: string;
  /** The question asked before acting. */
  prompt: string;
  confirmLabel: string;
  onConfirm: () => void;
  isPending?: boolean;
}

export function ConfirmButton({ label, accessibleLabel, prompt, confirmLabel, onConfirm, isPending = false }: ConfirmButtonProps) {
  const [isAsking, setIsAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    // Keyboard users land on the question when it appears, and back on the button when it goes.
    if (isAsking) confirmRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = isAsking;
  }, [isAsking]);

  if (!isAsking) {
    return (
      <button
        ref={triggerRef}
        type="button"
        className="button button-danger-quiet"
        aria-label={accessibleLabel}
        disabled={isPending}
        onClick={() => setIsAsking(true)}
      >
        {isPending ? "Working…" : label}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would bring form semantics to a pair of buttons inside a table row.
    <span className="confirm" role="group" aria-label={prompt} onKeyDown={(event) => event.key === "Escape" && setIsAsking(false)}>
      <span className="confirm-prompt">{prompt}</span>
      <button
        ref={confirmRef}
        type="button"
        className="button button-danger"
        onClick={() => {
          setIsAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="button button-ghost" onClick={() => setIsAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
