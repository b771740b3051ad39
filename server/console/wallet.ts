/**
 * The staff member's wallet (an injected EIP-1193 provider, `window.ethereum`): signing in with
 * Ethereum (EIP-4361, the message built from the API's nonce as members' are), and the clients that
 * send the owner's transactions. Reads go through the wallet too, so the page needs no RPC access of
 * its own.
 */
import { createPublicClient, createWalletClient, custom, defineChain, getAddress, toHex, type Address, type Chain, type EIP1193Provider } from "viem";
import { createSiweMessage } from "viem/siwe";
import { api } from "./api.ts";
import type { ConsoleConfig } from "./config.ts";

export type Role = "owner" | "manager" | "till";
export type StaffSession = { token?: string; brandId: string; brandName: string; address: Address; role: Role; expiresAt?: string };

type NonceGrant = { nonce: string; domain: string; uri: string; chainId: number; statement: string; issuedAt: string };

export function injectedWallet(): EIP1193Provider | null {
  return (window as { ethereum?: EIP1193Provider }).ethereum ?? null;
}

function requireWallet(): EIP1193Provider {
  const wallet = injectedWallet();
  if (!wallet) throw new Error("No wallet found in this browser: install one (or open the console in a wallet's browser).");
  return wallet;
}

export function chainOf(config: ConsoleConfig): Chain {
  return defineChain({ id: config.chainId, name: `chain ${config.chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [config.rpcUrl] } } });
}

/** The wallet's account, asking the wallet for access if needed. */
export async function connectWallet(): Promise<Address> {
  const [account] = (await requireWallet().request({ method: "eth_requestAccounts" })) as string[];
  if (!account) throw new Error("The wallet shared no account.");
  return getAddress(account);
}

/** Staff sign-in: one signature of an EIP-4361 message for `brandId`. */
export async function signInStaff(brandId: string): Promise<StaffSession> {
  const wallet = requireWallet();
  const address = await connectWallet();
  const grant = await api<NonceGrant>("GET", "/v1/auth/nonce", undefined, { anonymous: true });
  const message = createSiweMessage({
    address,
    chainId: grant.chainId,
    domain: grant.domain,
    uri: grant.uri,
    nonce: grant.nonce,
    statement: grant.statement,
    version: "1",
    issuedAt: new Date(grant.issuedAt),
  });
  const signature = await wallet.request({ method: "personal_sign", params: [toHex(message), address] });
  const session = await api<StaffSession>("POST", "/v1/staff/sign-in", { message, signature, brandId }, { anonymous: true });
  return { ...session, address: getAddress(session.address) };
}

/** Puts the wallet on the console's chain (adding it if the wallet does not know it). */
export async function ensureChain(config: ConsoleConfig): Promise<void> {
  const wallet = requireWallet();
  const current = Number(await wallet.request({ method: "eth_chainId" }));
  if (current === config.chainId) return;
  const chainId = toHex(config.chainId);
  try {
    await wallet.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    if ((error as { code?: number }).code !== 4902) throw error;
    await wallet.request({
      method: "wallet_addEthereumChain",
      params: [{ chainId, chainName: `Stampbook chain ${config.chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: [config.rpcUrl] }],
    });
  }
}

/** Clients that read through the wallet and send transactions it signs, on the console's chain. */
export async function chainClients(config: ConsoleConfig) {
  const wallet = requireWallet();
  await ensureChain(config);
  const chain = chainOf(config);
  const account = await connectWallet();
  const transport = custom(wallet);
  return { account, walletClient: createWalletClient({ account, chain, transport }), publicClient: createPublicClient({ chain, transport }) };
}
