/** The local chain's well-known development accounts (Hardhat's default mnemonic). Never use them on a real chain. */
import { mnemonicToAccount } from "viem/accounts";
import { toHex } from "viem";

export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

export function devAccount(index: number) {
  const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
  return { account, privateKey: toHex(account.getHdKey().privateKey!) };
}
