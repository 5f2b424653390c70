"use client";
/**
 * Short notices of what an action did ("Archived “Helper”", "Could not cancel: …"), shown by Radix Toast
 * (an F8 hotkey reaches them, swipe or Escape dismisses, pausing on hover or focus). The store lives in the
 * module, not in a component, so `toast()` works from any mutation callback, and a notice raised just
 * before a navigation (save, then open the new page) is still shown on the next page. One `<Toaster />`
 * is mounted by the app shell. Successes fade; errors stay until dismissed.
 */
import * as ToastPrimitive from "@radix-ui/react-toast";
import { useSyncExternalStore } from "react";
import { cn } from "./cn";

export type ToastTone = "success" | "error" | "info";

interface ToastItem {
  id: number;
  tone: ToastTone;
  message: string;
}

const SUCCESS_MS = 4_000;
let toasts: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) listener();
}

function dismiss(id: number) {
  toasts = toasts.filter((item) => item.id !== id);
  emit();
}

function show(tone: ToastTone, message: string): number {
  const id = nextId++;
  // Five at most: a burst of failures should not cover the page.
  toasts = [...toasts.slice(-4), { id, tone, message }];
  emit();
  return id;
}

/** `toast("Saved")` for a plain notice, or `toast.success(…)`, `toast.error(…)`, `toast.info(…)`. */
export const toast = Object.assign((message: string) => show("info", message), {
  success: (message: string) => show("success", message),
  error: (message: string) => show("error", message),
  info: (message: string) => show("info", message),
  dismiss,
});

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

const noToasts: ToastItem[] = [];

const toneClasses: Record<ToastTone, string> = {
  success: "border-[rgba(124,245,210,0.45)]",
  error: "border-[rgba(255,107,138,0.55)]",
  info: "border-line-strong",
};

export function Toaster() {
  const current = useSyncExternalStore(
    subscribe,
    () => toasts,
    () => noToasts,
  );
  return (
    <ToastPrimitive.Provider swipeDirection="right" label="Notice">
      {current.map((item) => (
        <ToastPrimitive.Root
          key={item.id}
          data-testid="toast"
          data-tone={item.tone}
          type={item.tone === "error" ? "foreground" : "background"}
          duration={item.tone === "error" ? Number.POSITIVE_INFINITY : SUCCESS_MS}
          onOpenChange={(isOpen) => {
            if (!isOpen) dismiss(item.id);
          }}
          className={cn(
            "flex items-start gap-3 rounded-control border bg-[rgba(16,18,34,0.97)] px-3.5 py-2.5 text-sm text-text shadow-glow animate-fade-in",
            toneClasses[item.tone],
          )}
        >
          <span
            aria-hidden="true"
            className={cn("mt-1.5 size-2 shrink-0 rounded-full", item.tone === "error" ? "bg-danger" : "bg-accent")}
          />
          <ToastPrimitive.Description className="min-w-0 flex-1 break-words">{item.message}</ToastPrimitive.Description>
          <ToastPrimitive.Close className="button button-ghost button-small" aria-label="Dismiss notice">
            ×
          </ToastPrimitive.Close>
        </ToastPrimitive.Root>
      ))}
      <ToastPrimitive.Viewport
        label="Notices ({hotkey})"
        className="fixed right-4 bottom-4 z-[60] m-0 flex w-[min(380px,calc(100vw-32px))] list-none flex-col gap-2 p-0 outline-none"
      />
    </ToastPrimitive.Provider>
  );
}
