"use client";
/**
 * The member's session in the browser: restored after a reload with the wallet they chose, started
 * with either wallet, ended on request or when the API ends it. One query (`["session"]`) holds it;
 * everything about the member is keyed under their address, so a sign-out forgets it all.
 */
import type { Session } from "@stampbook/sdk";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useStampbook } from "./stampbook";
import { browserWallet, embeddedWallet, rememberedWalletKind, rememberWalletKind, type WalletKind } from "./wallets";

export const sessionKey = ["session"] as const;

export function useSession() {
  const { client } = useStampbook();
  const queryClient = useQueryClient();
  useEffect(() => client.on("sessionEnded", () => queryClient.setQueryData(sessionKey, null)), [client, queryClient]);
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      const kind = rememberedWalletKind();
      if (kind === null) return null;
      const wallet = kind === "embedded" ? await embeddedWallet(false).catch(() => null) : await browserWallet();
      if (wallet === null) return null;
      client.setWallet(wallet);
      return (await client.restoreSession())?.session ?? null;
    },
    staleTime: Infinity,
  });
}

export function useSignIn() {
  const { client } = useStampbook();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (kind: WalletKind) => {
      const wallet = kind === "embedded" ? await embeddedWallet(true) : await browserWallet();
      if (wallet === null) throw new Error("No wallet found in this browser: continue without one, or install one.");
      const session = await client.signIn({ wallet });
      rememberWalletKind(kind);
      return session;
    },
    onSuccess: (session) => queryClient.setQueryData(sessionKey, session),
  });
}

export function useSignOut() {
  const { client } = useStampbook();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => client.signOut(),
    onSettled: () => {
      rememberWalletKind(null);
      queryClient.setQueryData(sessionKey, null);
      queryClient.removeQueries({ queryKey: ["member"] });
    },
  });
}

/** Keys of what belongs to the signed-in member. */
export const memberKey = (address: string, what: string) => ["member", address, what] as const;
