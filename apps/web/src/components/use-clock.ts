/**
 * The time now for what the page shows relative to it ("in 3 min", how long a step has run). The server
 * renders a moment earlier than the browser hydrates, so a clock read on both would make them disagree and
 * React throw the server's HTML away: until the page has hydrated there is no clock (null), and what depends
 * on it waits. A page rendered in the browser (a client navigation) has it at once.
 */
import { useEffect, useState, useSyncExternalStore } from "react";

const neverChanges = () => () => {};

/** false on the server and while hydrating; true once the page runs in the browser. */
export function useIsHydrated(): boolean {
  return useSyncExternalStore(
    neverChanges,
    () => true,
    () => false,
  );
}

/** Date.now(), again every `intervalMs` while `isTicking`; null until the page has hydrated. */
export function useClock(intervalMs: number, isTicking = true): number | null {
  const isHydrated = useIsHydrated();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!isTicking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, isTicking]);
  return isHydrated ? now : null;
}
