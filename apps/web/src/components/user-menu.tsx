"use client";
/** Who is signed in, and the way out. */
import { signOut } from "next-auth/react";
import { useEffect, useId, useRef, useState } from "react";

function initialsOf(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]?.toUpperCase() ?? "");
  return letters.join("") || "?";
}

export function UserMenu({ name, email }: { name: string; email: string }) {
  const menuId = useId();
  const [isOpen, setIsOpen] = useState(false);
  const [isSigningOut, setIsSigningOut] = useState(false);
  const containerRef = useRef<HTMLDivElement>(null);
  const toggleRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!isOpen) return;
    const closeOnOutsideClick = (event: MouseEvent) => {
      if (!containerRef.current?.contains(event.target as Node)) setIsOpen(false);
    };
    document.addEventListener("mousedown", closeOnOutsideClick);
    return () => document.removeEventListener("mousedown", closeOnOutsideClick);
  }, [isOpen]);

  async function handleSignOut() {
    setIsSigningOut(true);
    // next-auth revokes the session server-side; the full page load then drops every cached query of this user.
    await signOut({ callbackUrl: "/sign-in", redirect: false }).catch(() => undefined);
    window.location.assign("/sign-in");
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape closes the menu from anywhere inside it; the controls themselves are buttons.
    <div
      className="user-menu"
      ref={containerRef}
      onKeyDown={(event) => {
        if (event.key !== "Escape" || !isOpen) return;
        setIsOpen(false);
        toggleRef.current?.focus();
      }}
    >
      <button
        ref={toggleRef}
        type="button"
        className="user-menu-toggle"
        aria-expanded={isOpen}
        aria-controls={isOpen ? menuId : undefined}
        aria-label={`Account: ${name}`}
        onClick={() => setIsOpen((open) => !open)}
      >
        <span className="avatar" aria-hidden="true">
          {initialsOf(name)}
        </span>
        <span className="user-menu-summary">
          <span className="user-menu-name">{name}</span>
          <span className="user-menu-email">{email}</span>
        </span>
      </button>
      {/* After the toggle in the DOM, so Tab goes from it into the menu; CSS shows the menu above it. */}
      {isOpen ? (
        <div className="user-menu-panel" id={menuId}>
          <p className="user-menu-label">Signed in as</p>
          <p className="user-menu-name">{name}</p>
          <p className="user-menu-email">{email}</p>
          <button type="button" className="button button-secondary button-block" onClick={handleSignOut} disabled={isSigningOut}>
            {isSigningOut ? "Signing out…" : "Sign out"}
          </button>
        </div>
      ) : null}
    </div>
  );
}
