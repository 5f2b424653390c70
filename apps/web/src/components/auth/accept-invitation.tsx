"use client";
/** A signed-in user joins the project an invitation link was made for. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { rememberProjectId } from "~/components/current-project";
import { appCodeOf, errorMessage } from "~/trpc/errors";
import { useTRPC } from "~/trpc/react";

export function AcceptInvitation({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const accept = useMutation(
    trpc.members.acceptInvitation.mutationOptions({
      onSuccess: async ({ projectId }) => {
        rememberProjectId(projectId);
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        router.push("/");
        router.refresh();
      },
    }),
  );
  const isJoining = accept.isPending || accept.isSuccess;

  return (
    <>
      <p>
        You are signed in as <strong>{email}</strong>. The invitation must have been sent to this address.
      </p>
      {accept.isError ? (
        <div className="inline-error" role="alert">
          <p>{errorMessage(accept.error)}</p>
          {appCodeOf(accept.error) === "FORBIDDEN" ? <p>Sign out and open the link again with the invited account.</p> : null}
        </div>
      ) : null}
      <button type="button" className="button button-primary button-block" disabled={isJoining} onClick={() => accept.mutate({ token })}>
        {isJoining ? "Joining…" : "Join the project"}
      </button>
      <p className="auth-switch">
        <Link href="/">Not now, go to the dashboard</Link>
      </p>
    </>
  );
}
