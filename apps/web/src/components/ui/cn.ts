/** Joins class names, skipping the falsy ones, so a primitive's own classes and a caller's read as one list. */
export function cn(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}
