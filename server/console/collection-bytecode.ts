/**
 * StampbookCollection's creation bytecode, for deploying a collection from the page. The console's
 * server puts it into the bundle from Hardhat's artifact (esbuild `define`); null when the contracts
 * were not compiled when the console started.
 */
import type { Hex } from "viem";

declare const __STAMPBOOK_COLLECTION_BYTECODE__: Hex | null | undefined;

export function collectionBytecode(): Hex | null {
  return typeof __STAMPBOOK_COLLECTION_BYTECODE__ === "undefined" ? null : __STAMPBOOK_COLLECTION_BYTECODE__;
}
