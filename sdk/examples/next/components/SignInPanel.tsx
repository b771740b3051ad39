"use client";
/** Sign-in for a visitor: with the wallet their browser has, or without one (an embedded key, no prompts). */
import { explain } from "../lib/explain";
import { useWalletSignIn } from "../lib/wallet-sign-in";

export function SignInPanel({ brandName }: { brandName: string }) {
  const signIn = useWalletSignIn();
  return (
    <section className="panel" aria-labelledby="welcome-title">
      <h1 id="welcome-title">Welcome to {brandName}</h1>
      <p className="muted">Sign in to see your level, your perks and your journeys.</p>
      <div className="actions">
        <button type="button" className="primary" disabled={signIn.isPending} onClick={() => signIn.mutate("embedded")}>
          Continue without a wallet
        </button>
        <button type="button" disabled={signIn.isPending} onClick={() => signIn.mutate("injected")}>
          Connect wallet
        </button>
      </div>
      <p className={signIn.isError ? "status error" : "status"} role="status">
        {signIn.isPending ? "Signing you in…" : signIn.isError ? explain(signIn.error) : ""}
      </p>
    </section>
  );
}
