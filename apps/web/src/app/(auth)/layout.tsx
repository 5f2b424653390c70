/** The pages before the dashboard (sign-in, sign-up, invitations): one centred card under the brand. */
import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-brand brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">
          Gathe<span className="brand-accent">R</span>ing
        </span>
      </div>
      <div className="auth-card">{children}</div>
    </main>
  );
}
