/**
 * The dashboard's button, shadcn-style: a variant and a size on top of the global `.button` rules (so it
 * looks like every button already on the pages), and `asChild` to give a link the same look.
 */
import { Slot } from "@radix-ui/react-slot";
import type { ComponentProps } from "react";
import { cn } from "./cn";

const variants = {
  primary: "button-primary",
  secondary: "button-secondary",
  ghost: "button-ghost",
  danger: "button-danger",
  "danger-quiet": "button-danger-quiet",
} as const;

export type ButtonVariant = keyof typeof variants;

export interface ButtonProps extends ComponentProps<"button"> {
  variant?: ButtonVariant;
  size?: "default" | "small";
  /** Renders the child element (a `Link`, say) with the button's classes instead of a `<button>`. */
  asChild?: boolean;
}

export function buttonClassName({ variant = "secondary", size = "default" }: Pick<ButtonProps, "variant" | "size"> = {}): string {
  return cn("button", variants[variant], size === "small" && "button-small");
}

export function Button({ variant, size, asChild = false, className, type, ...props }: ButtonProps) {
  const classes = cn(buttonClassName({ variant, size }), className);
  if (asChild) return <Slot className={classes} {...props} />;
  return <button type={type ?? "button"} className={classes} {...props} />;
}
