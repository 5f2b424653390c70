/**
 * Kept for the pages that imported the toasts from here before they became a dashboard-wide primitive
 * (`~/components/ui/toast`): the one `<Toaster />` now lives in the app shell, so this `Toaster` renders
 * nothing, and a layout that still mounts it does not show every notice twice.
 */
export { toast } from "~/components/ui/toast";

export function Toaster() {
  return null;
}
