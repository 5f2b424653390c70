"use client";
/**
 * A modal question before a destructive action (Radix AlertDialog): focus moves into it and back to the
 * trigger, Escape cancels, the rest of the page is inert while it is open.
 */
import * as AlertDialogPrimitive from "@radix-ui/react-alert-dialog";
import type { ComponentProps, ReactNode } from "react";
import { buttonClassName } from "./button";
import { cn } from "./cn";

export const AlertDialog = AlertDialogPrimitive.Root;
export const AlertDialogTrigger = AlertDialogPrimitive.Trigger;

export function AlertDialogContent({
  title,
  description,
  className,
  children,
  ...props
}: ComponentProps<typeof AlertDialogPrimitive.Content> & { title: ReactNode; description?: ReactNode }) {
  return (
    <AlertDialogPrimitive.Portal>
      <AlertDialogPrimitive.Overlay className="fixed inset-0 z-40 bg-[rgba(3,4,10,0.7)] backdrop-blur-sm" />
      <AlertDialogPrimitive.Content
        className={cn(
          "fixed top-1/2 left-1/2 z-50 grid w-[min(440px,calc(100vw-32px))] -translate-x-1/2 -translate-y-1/2 gap-4",
          "rounded-panel border border-line-strong bg-[rgba(16,18,34,0.96)] p-6 text-text shadow-glow animate-fade-in",
          className,
        )}
        {...props}
      >
        <AlertDialogPrimitive.Title className="m-0 text-lg font-semibold">{title}</AlertDialogPrimitive.Title>
        {description ? (
          <AlertDialogPrimitive.Description className="m-0 text-sm text-muted">{description}</AlertDialogPrimitive.Description>
        ) : null}
        {children}
      </AlertDialogPrimitive.Content>
    </AlertDialogPrimitive.Portal>
  );
}

export function AlertDialogFooter({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("flex flex-wrap justify-end gap-2", className)} {...props} />;
}

export function AlertDialogCancel({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Cancel>) {
  return <AlertDialogPrimitive.Cancel className={cn(buttonClassName({ variant: "ghost" }), className)} {...props} />;
}

export function AlertDialogAction({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Action>) {
  return <AlertDialogPrimitive.Action className={cn(buttonClassName({ variant: "danger" }), className)} {...props} />;
}
