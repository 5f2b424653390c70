"use client";
/** A modal dialog on the native <dialog>: the browser traps focus, Escape closes it, focus returns to the opener. */
import { type ReactNode, useEffect, useId, useRef } from "react";
import styles from "./pipelines.module.css";

interface DialogProps {
  title: string;
  isOpen: boolean;
  onClose: () => void;
  children: ReactNode;
  /** A wider dialog, for forms with long fields. */
  isWide?: boolean;
}

export function Dialog({ title, isOpen, onClose, children, isWide = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (isOpen && !dialog.open) dialog.showModal();
    if (!isOpen && dialog.open) dialog.close();
  }, [isOpen]);

  return (
    <dialog
      ref={ref}
      className={`${styles.dialog}${isWide ? ` ${styles.dialogWide}` : ""}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {isOpen ? (
        <>
          <div className={styles.dialogHeader}>
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="button button-ghost button-small" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </div>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
