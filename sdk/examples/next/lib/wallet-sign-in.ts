"use client";
/**
 * Sign-in with the wallet the member chose: the browser's, or an embedded key made for them. The
 * choice is looked up first (the embedded wallet's code loads only then), then `useSignIn` signs.
 */
import { useSignIn } from "@stampbook/sdk/react";
import { useMutation } from "@tanstack/react-query";
import { browserWallet, embeddedWallet, type WalletKind } from "./wallets";

export function useWalletSignIn() {
  const signIn = useSignIn();
  return useMutation({
    mutationFn: async (kind: WalletKind) => {
      const wallet = kind === "embedded" ? await embeddedWallet(true) : await browserWallet();
      if (wallet === null) throw new Error("No wallet found in this browser: continue without one, or install one.");
      return signIn.mutateAsync({ wallet });
    },
  });
}
