/** The members-only page for anyone the gate did not let in: why, in the gate's words, and how to get in. */
import type { GateReason } from "@stampbook/sdk/server";
import Link from "next/link";

const NEXT_STEP: Record<GateReason, string> = {
  signed_out: "Sign in on the home page: if your wallet holds a Gold membership, this page opens for you.",
  expired: "Open the home page for a moment: your pass renews there, then this page opens again.",
  invalid: "Sign out and sign in again on the home page.",
  not_enough: "A Gold membership brings thirty days of member prices and a free coffee. Ask for one at the counter; once it is yours, this page opens within minutes.",
  undecidable: "This page cannot be checked just now. Try again in a moment.",
};

export function MembersLocked({ reason, message }: { reason: GateReason; message: string }) {
  return (
    <section className="panel locked-page" id="members-locked" aria-labelledby="locked-title">
      <h1 id="locked-title">Members only</h1>
      <p id="locked-why">{message}</p>
      <p className="muted">{NEXT_STEP[reason]}</p>
      <p>
        <Link href="/">{reason === "signed_out" ? "Sign in" : "Back to your perks"}</Link>
      </p>
    </section>
  );
}
