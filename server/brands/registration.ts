/**
 * A brand proves it controls a collection before it may serve it: an EIP-712 `RegisterCollection`
 * message naming the brand and the collection, with a single-use nonce and an expiry, signed by an
 * address that holds DEFAULT_ADMIN_ROLE on the collection. The signature may come from a plain
 * wallet or a smart-contract wallet (EIP-1271, or ERC-6492 before it is deployed); the role is read
 * on chain at registration.
 */
import { randomBytes } from "node:crypto";
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, getAddress, isHex, type Address, type Hex, type PublicClient } from "viem";
import { DEFAULT_ADMIN_ROLE, stampbookCollectionAbi } from "../../contracts/bindings/index.ts";
import { chainUnavailable } from "../chain/errors.ts";
import { Problem } from "../errors.ts";
import { toTimestamp, type Store } from "../storage/index.ts";
import type { CollectionDirectory } from "./directory.ts";
import type { Brand, BrandCollection } from "./types.ts";

export const registrationTypes = {
  RegisterCollection: [
    { name: "brand", type: "string" },
    { name: "brandName", type: "string" },
    { name: "collection", type: "address" },
    { name: "nonce", type: "bytes32" },
    { name: "expiresAt", type: "uint64" },
  ],
} as const;

export type RegistrationMessage = { brand: string; brandName: string; collection: Address; nonce: Hex; expiresAt: bigint };

/** The EIP-712 domain of registrations on `chainId`: Stampbook's, not any collection's. */
export function registrationDomain(chainId: number) {
  return { name: "Stampbook", version: "1", chainId } as const;
}

/** What a collection's admin signs, as a wallet's `eth_signTypedData_v4` takes it (numbers as strings). */
export type RegistrationRequest = {
  domain: ReturnType<typeof registrationDomain>;
  types: typeof registrationTypes;
  primaryType: "RegisterCollection";
  message: { brand: string; brandName: string; collection: Address; nonce: Hex; expiresAt: string };
};

export type SignedRegistration = { collection: Address; signer: Address; nonce: Hex; expiresAt: number; signature: Hex };

export type Registrations = {
  /** A fresh registration for the brand's collection's admin to sign, valid for `lifetimeSeconds`. */
  request(brand: Brand, collection: Address): RegistrationRequest;
  /** Checks a signed registration and makes the brand the collection's owner; `created` false when it was already. */
  register(brand: Brand, signed: SignedRegistration): Promise<{ collection: BrandCollection; created: boolean }>;
  /** The collections the brand registered, oldest first. */
  ofBrand(brandId: string): Promise<BrandCollection[]>;
};

export type RegistrationOptions = {
  store: Store;
  client: PublicClient;
  chainId: number;
  directory: CollectionDirectory;
  /** How long a requested registration stays valid, and the longest validity a signed one may claim. */
  lifetimeSeconds: number;
  now?: () => Date;
};

const invalid = (detail: string) => new Problem(400, "registration_invalid", "The collection registration is not valid", detail);

/** The call reached the chain and the address answered with nothing or a revert: not a Stampbook collection. */
function revertedOrMissing(error: unknown): boolean {
  return error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionZeroDataError || e instanceof ContractFunctionRevertedError) !== null;
}

export function createRegistrations(options: RegistrationOptions): Registrations {
  const { store, client, chainId } = options;
  const now = options.now ?? (() => new Date());
  const seconds = () => Math.floor(now().getTime() / 1000);

  return {
    ofBrand: (brandId) => store.listCollections({ brandId }),

    request(brand, collection) {
      return {
        domain: registrationDomain(chainId),
        types: registrationTypes,
        primaryType: "RegisterCollection",
        message: {
          brand: brand.id,
          brandName: brand.name,
          collection: getAddress(collection),
          nonce: `0x${randomBytes(32).toString("hex")}`,
          expiresAt: String(seconds() + options.lifetimeSeconds),
        },
      };
    },

    async register(brand, signed) {
      const collection = getAddress(signed.collection);
      const signer = getAddress(signed.signer);
      if (!isHex(signed.nonce) || signed.nonce.length !== 66) throw invalid("nonce must be 32 bytes of hex");
      const left = signed.expiresAt - seconds();
      if (left <= 0) throw new Problem(400, "registration_expired", "The collection registration has expired", "Ask for a new one and sign it.");
      if (left > options.lifetimeSeconds) throw invalid(`expiresAt may be at most ${options.lifetimeSeconds} s from now`);

      const message: RegistrationMessage = { brand: brand.id, brandName: brand.name, collection, nonce: signed.nonce, expiresAt: BigInt(signed.expiresAt) };
      let valid: boolean;
      try {
        // Plain wallets, EIP-1271 contract wallets and ERC-6492 wallets not yet deployed alike.
        valid = await client.verifyTypedData({ address: signer, domain: registrationDomain(chainId), types: registrationTypes, primaryType: "RegisterCollection", message, signature: signed.signature });
      } catch (error) {
        throw chainUnavailable("The signature could not be checked; nothing was registered.", error);
      }
      if (!valid) throw invalid(`the signature is not ${signer}'s signature of this registration for brand ${brand.id}`);

      let isAdmin: boolean;
      try {
        // A Stampbook collection answers tokenTypeCount; anything else cannot be served.
        const [admin] = await Promise.all([
          client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "hasRole", args: [DEFAULT_ADMIN_ROLE, signer] }),
          client.readContract({ address: collection, abi: stampbookCollectionAbi, functionName: "tokenTypeCount" }),
        ]);
        isAdmin = admin;
      } catch (error) {
        if (revertedOrMissing(error)) throw new Problem(400, "collection_unsupported", "That address is not a Stampbook collection", `${collection} on chain ${chainId}`);
        throw chainUnavailable("The collection's admin could not be checked; nothing was registered.", error);
      }
      if (!isAdmin) throw new Problem(403, "not_collection_admin", "The signer does not administer this collection", `${signer} lacks DEFAULT_ADMIN_ROLE on ${collection}.`);

      const result = await store.registerCollection({
        brandId: brand.id,
        collection,
        admin: signer,
        nonce: signed.nonce.toLowerCase(),
        nonceExpiresAt: toTimestamp(signed.expiresAt * 1000),
        now: toTimestamp(now()),
      });
      switch (result.status) {
        case "replayed":
          throw new Problem(409, "registration_replayed", "This registration was used already", "Each signed registration works once: ask for a new one.");
        case "taken":
          throw new Problem(409, "collection_taken", "Another brand serves this collection", `${collection} is registered to another brand.`);
        case "already_registered":
          return { collection: result.collection, created: false };
        case "registered":
          options.directory.changed();
          return { collection: result.collection, created: true };
      }
    },
  };
}
