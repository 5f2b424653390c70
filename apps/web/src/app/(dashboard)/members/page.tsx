/** /members: people in the current project, their roles, and invitations. */
import type { Metadata } from "next";
import { MembersView } from "~/components/members/members-view";

export const metadata: Metadata = { title: "Members" };

export default function MembersPage() {
  return (
    <>
      <header className="page-header">
        <h1>Members</h1>
        <p className="muted">Who can work in this project, and what they may do.</p>
      </header>
      <MembersView />
    </>
  );
}
