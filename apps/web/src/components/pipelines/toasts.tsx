"use client";
/**
 * Short notices of what an action did ("Saved as version 3", "Could not cancel: …"). The store lives in
 * the module, not in a component, so a notice raised just before a navigation (save, then open the new
 * pipeline) is still shown on the next page. Announced politely; errors stay until dismissed.
 */
import { useSyncExternalStore } from "react";
import styles from "./pipelines.module.css";

type ToastTone = "success" | "error" | "info";

interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

const SUCCESS_MS = 4_000;
let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) listener();
}

function dismiss(id: number) {
  toasts = toasts.filter((toast) => toast.id !== id);
  emit();
}

function show(tone: ToastTone, message: string) {
  const id = nextId++;
  // Five at most: a burst of failures should not cover the page.
  toasts = [...toasts.slice(-4), { id, tone, message }];
  emit();
  if (tone !== "error") setTimeout(() => dismiss(id), SUCCESS_MS);
}

export const toast = {
  success: (message: string) => show("success", message),
  error: (message: string) => show("error", message),
  info: (message: string) => show("info", message),
};

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const noToasts: Toast[] = [];

export function Toaster() {
  const current = useSyncExternalStore(
    subscribe,
    () => toasts,
    () => noToasts,
  );
  return (
    <section className={styles.toaster} aria-label="Notifications" aria-live="polite">
      {current.map((item) => (
        <div key={item.id} className={`${styles.toast} ${styles[`toast-${item.tone}`]}`} role="status" data-testid="toast">
          <span>{item.message}</span>
          <button
            type="button"
            className="button button-ghost button-small"
            aria-label="Dismiss notification"
            onClick={() => dismiss(item.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
