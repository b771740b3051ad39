"use client";
/** The header's account corner: who is signed in (in words, never an address) and sign-out. */
import { useSession, useSignOut } from "../lib/session";

export function AccountBar() {
  const session = useSession();
  const signOut = useSignOut();
  if (!session.data) return null;
  return (
    <div className="account">
      <span id="who">Signed in</span>
      <button type="button" className="link" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
        Sign out
      </button>
    </div>
  );
}
