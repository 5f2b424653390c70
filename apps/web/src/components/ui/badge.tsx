/** A short status label; the tones are the global `.badge-*` colours every status badge already uses. */
import type { ComponentProps } from "react";
import { cn } from "./cn";

const tones = { neutral: "", ok: "badge-ok", bad: "badge-bad", warn: "badge-warn", quiet: "badge-quiet" } as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = "neutral", className, ...props }: ComponentProps<"span"> & { tone?: BadgeTone }) {
  return <span className={cn("badge", tones[tone], className)} {...props} />;
}
