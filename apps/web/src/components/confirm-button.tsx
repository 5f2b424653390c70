"use client";
/**
 * A destructive action behind an explicit confirmation: the button opens a modal question (Radix
 * AlertDialog, focus on Cancel so Enter alone cannot destroy anything), and only its confirm button acts.
 * The dialog's open state belongs to this component, so it must stay mounted while the question is open:
 * a list keeps its rows (and their keys) while it refetches instead of swapping them for a spinner.
 */
import { useState } from "react";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogFooter,
  AlertDialogTrigger,
} from "./ui/alert-dialog";
import { Button } from "./ui/button";

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
  return (
    <AlertDialog open={isAsking} onOpenChange={setIsAsking}>
      <AlertDialogTrigger asChild>
        <Button variant="danger-quiet" aria-label={accessibleLabel} disabled={isPending}>
          {isPending ? "Working…" : label}
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent title={accessibleLabel ?? label} description={prompt}>
        <AlertDialogFooter>
          <AlertDialogCancel>Cancel</AlertDialogCancel>
          <AlertDialogAction onClick={onConfirm}>{confirmLabel}</AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
