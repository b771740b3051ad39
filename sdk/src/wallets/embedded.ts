/**
 * A wallet for members who have none: a key generated in the browser and kept in storage. It signs
 * invisibly (no prompts), works anywhere the SDK takes a wallet, and can be exported (self-custody
 * exit) or forgotten. Imported only through `@stampbook/sdk/embedded`, so apps that do not use it do
 * not bundle viem/accounts (~26 kB gzip).
 */
import { getAddress, isHex, type Address, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { StampbookError } from "../errors/base.ts";
import { defaultStorage, type StampbookStorage } from "../storage.ts";

export type CreateEmbeddedWalletParameters = {
  /** Where the key lives. Default: `localStorage` if present, else memory (the key then dies with the page). */
  storage?: StampbookStorage;
  /** Storage key. Default "stampbook:embedded-wallet". */
  storageKey?: string;
  /** Generate a key when none is stored (default true). With false, a missing key throws. */
  create?: boolean;
};

/** An embedded wallet; pass it as `wallet` to `createStampbookClient`. */
export type EmbeddedWallet = {
  kind: "embedded";
  /** Its address. */
  address: Address;
  /** True if this call generated the key (a new member); false if it was loaded from storage. */
  created: boolean;
  getAddress(): Promise<Address>;
  /** EIP-191 personal signature, without any prompt. */
  signMessage(message: string): Promise<Hex>;
  /**
   * EIP-1193-style requests: eth_accounts, eth_requestAccounts, personal_sign, eth_signTypedData_v4.
   * Others fail with code 4200 (it has no RPC and no gas: mint-mode drops are the way to give it tokens).
   */
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
  /** The private key, to import into a real wallet (self-custody exit). Show it only on the member's request. */
  exportPrivateKey(): Hex;
  /** Deletes the key from storage; this object stops signing. Export it first if it holds anything. */
  forget(): Promise<void>;
};

type StoredKey = { version: 1; privateKey: Hex; address: Address; createdAt: string };

/**
 * Loads the member's embedded wallet from storage, or creates one (`generatePrivateKey`) and stores it.
 * The key is kept in plain text in that storage: any script running on the page can read it, as it
 * could use the wallet. It suits low-value, onboarding use; offer `exportPrivateKey()` and a real wallet
 * (`client.linkWallet`) for the rest.
 *
 * @example
 * import { createStampbookClient } from "@stampbook/sdk";
 * import { createEmbeddedWallet } from "@stampbook/sdk/embedded";
 *
 * const wallet = await createEmbeddedWallet({ storage: localStorage });
 * const client = createStampbookClient({ apiUrl: "https://api.example.com", wallet });
 * await client.signIn(); // no prompt
 */
export async function createEmbeddedWallet(parameters: CreateEmbeddedWalletParameters = {}): Promise<EmbeddedWallet> {
  const storage = parameters.storage ?? defaultStorage();
  const storageKey = parameters.storageKey ?? "stampbook:embedded-wallet";

  let created = false;
  let privateKey = readKey(await storage.getItem(storageKey));
  if (privateKey === null) {
    if (parameters.create === false) throw new StampbookError("No embedded wallet is stored", { code: "embedded_wallet_missing", details: `nothing under "${storageKey}"` });
    privateKey = generatePrivateKey();
    created = true;
  }
  let account: PrivateKeyAccount | null = privateKeyToAccount(privateKey);
  const address = getAddress(account.address);
  if (created) {
    const stored: StoredKey = { version: 1, privateKey, address, createdAt: new Date().toISOString() };
    await storage.setItem(storageKey, JSON.stringify(stored));
  }

  const live = (): PrivateKeyAccount => {
    if (!account) throw new StampbookError("This embedded wallet was forgotten", { code: "embedded_wallet_forgotten" });
    return account;
  };

  const wallet: EmbeddedWallet = {
    kind: "embedded",
    address,
    created,
    getAddress: async () => (live(), address),
    signMessage: async (message) => live().signMessage({ message }),
    async request({ method, params = [] }) {
      switch (method) {
        case "eth_accounts":
        case "eth_requestAccounts":
          return account ? [address] : [];
        case "personal_sign": {
          const data = params[0];
          if (typeof data !== "string") throw rpcError(-32602, "personal_sign needs the message");
          return live().signMessage({ message: isHex(data) ? { raw: data } : data });
        }
        case "eth_signTypedData_v4": {
          const typed = typeof params[1] === "string" ? JSON.parse(params[1]) : params[1];
          return live().signTypedData(typed as Parameters<PrivateKeyAccount["signTypedData"]>[0]);
        }
        default:
          throw rpcError(4200, `the embedded wallet does not support ${method}`);
      }
    },
    exportPrivateKey() {
      live();
      return privateKey;
    },
    async forget() {
      account = null;
      await storage.removeItem(storageKey);
    },
  };
  return wallet;
}

function readKey(raw: string | null | undefined): Hex | null {
  if (!raw) return null;
  try {
    const stored = JSON.parse(raw) as Partial<StoredKey>;
    if (stored.version === 1 && typeof stored.privateKey === "string" && /^0x[0-9a-fA-F]{64}$/.test(stored.privateKey)) return stored.privateKey as Hex;
  } catch {
    // not ours
  }
  throw new StampbookError("The stored embedded wallet cannot be read", { code: "embedded_wallet_corrupt", details: "refusing to overwrite it with a new key; move it away first" });
}

function rpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
