/** A glassy panel: a section with a heading, named by it for assistive technology. */
import { type ComponentProps, type ReactNode, useId } from "react";
import { cn } from "./cn";

interface PanelProps extends Omit<ComponentProps<"section">, "title"> {
  title: ReactNode;
  /** Shown on the heading's right, e.g. a link to the full list. */
  action?: ReactNode;
}

export function Panel({ title, action, className, children, ...props }: PanelProps) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className={cn("panel flex min-w-0 flex-col gap-3", className)} {...props}>
      <div className="flex items-center justify-between gap-3">
        <h2 id={headingId} className="m-0">
          {title}
        </h2>
        {action}
      </div>
      {children}
    </section>
  );
}
