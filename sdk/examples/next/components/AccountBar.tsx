"use client";
/** The header's account corner: who is signed in (in words, never an address) and sign-out. */
import { useMember, useSignOut } from "@stampbook/sdk/react";

export function AccountBar() {
  const { isSignedIn } = useMember();
  const signOut = useSignOut();
  if (!isSignedIn) return null;
  return (
    <div className="account">
      <span id="who">Signed in</span>
      <button type="button" className="link" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
        Sign out
      </button>
    </div>
  );
}
