"use client";
import Link from "next/link";
/** Who is signed in, and the way out: a menu (Radix DropdownMenu) on the account button at the sidebar's foot. */
import { signOut } from "next-auth/react";
import { useState } from "react";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "./ui/dropdown-menu";

function initialsOf(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]?.toUpperCase() ?? "");
  return letters.join("") || "?";
}

export function UserMenu({ name, email }: { name: string; email: string }) {
  const [isSigningOut, setIsSigningOut] = useState(false);

  async function handleSignOut() {
    setIsSigningOut(true);
    // next-auth revokes the session server-side; the full page load then drops every cached query of this user.
    await signOut({ callbackUrl: "/sign-in", redirect: false }).catch(() => undefined);
    window.location.assign("/sign-in");
  }

  return (
    <DropdownMenu>
      {/* The name says what the button shows (name and email) after "Account:"; the initials are drawn by CSS,
          so they are not text that the accessible name would have to repeat. */}
      <DropdownMenuTrigger className="user-menu-toggle" aria-label={`Account: ${name} ${email}`}>
        <span className="avatar" aria-hidden="true" data-initials={initialsOf(name)} />
        <span className="user-menu-summary">
          {/* The spaces keep "name email" two words for assistive technology and checkers, as the eye reads them. */}
          <span className="user-menu-name">{name}</span> <span className="user-menu-email">{email}</span>
        </span>
      </DropdownMenuTrigger>
      <DropdownMenuContent side="top" align="start" className="w-[228px]">
        <DropdownMenuLabel>Signed in as</DropdownMenuLabel>
        <p className="m-0 truncate px-2.5 pb-1.5 text-sm">{email}</p>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/settings">Settings</Link>
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <Link href="/tokens">API tokens</Link>
        </DropdownMenuItem>
        <DropdownMenuItem asChild>
          <Link href="/notifications">Notifications</Link>
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          disabled={isSigningOut}
          onSelect={(event) => {
            // Keep the menu open on "Signing out…" until the page leaves.
            event.preventDefault();
            void handleSignOut();
          }}
        >
          {isSigningOut ? "Signing out…" : "Sign out"}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
